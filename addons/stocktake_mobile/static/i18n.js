// UI strings; server messages arrive already translated (?language=)
window.STOCKTAKE_I18N = {
  en: {
    title: 'Stocktake', user: 'Login', password: 'Password',
    login: 'Log in', assignee: 'for',
    bad_login: 'Wrong login or password.',
    logout: 'Log out', my_tasks: 'My open tasks', location: 'Location',
    code: 'Product or lot', quantity: 'Counted quantity', submit: 'Record',
    camera: 'Camera', queued: 'Waiting to send', finish: 'Finish counting',
    back: 'Back', no_tasks: 'No open task.', recorded: 'Recorded',
    duplicate: 'Already recorded', offline: 'Offline: kept on this device',
    sent: 'Queued scans sent', bad_key: 'Signed out: sign in again.',
    need_location: 'Scan a location first.', need_code: 'Scan a product.',
    need_quantity: 'Enter the counted quantity.', due: 'due',
    counted: 'counted', to_count: 'to count', finished: 'Task finished',
    network: 'Network error',
    scan_queued: 'Waiting to send', scan_sent: 'Sent', scan_refused: 'Refused',
    storage: 'This device cannot store scans: keep the network on.',
    lookup: 'Look up', lookup_code: 'Bin, material or lot',
    lookup_empty: 'Nothing in stock here.', lookup_nowhere: 'In stock nowhere.',
    lookup_counting: 'You are counting here: quantities hidden.',
    being_counted: 'being counted', expires: 'expires',
    qc_hold: 'QC hold', qc_released: 'QC released', qc_rejected: 'QC rejected'
  },
  zh_CN: {
    title: '盘点', user: '用户名', password: '密码', login: '登录',
    logout: '退出', assignee: '盘点人', bad_login: '用户名或密码错误。',
    my_tasks: '我的未完成任务', location: '库位', code: '物料或批次',
    quantity: '实盘数量', submit: '记录', camera: '相机', queued: '待发送',
    finish: '完成盘点', back: '返回', no_tasks: '没有未完成任务。',
    recorded: '已记录', duplicate: '已记录过', offline: '离线：已保存在本设备',
    sent: '离线扫描已发送', bad_key: '已退出，请重新登录。', need_location: '请先扫描库位。',
    need_code: '请扫描物料。', need_quantity: '请输入实盘数量。', due: '到期',
    counted: '已盘', to_count: '待盘', finished: '任务已完成',
    network: '网络错误',
    scan_queued: '待发送', scan_sent: '已发送', scan_refused: '被拒绝',
    storage: '本设备无法保存扫描：请保持网络连接。',
    lookup: '查询', lookup_code: '库位、物料或批次',
    lookup_empty: '此处没有库存。', lookup_nowhere: '各处均无库存。',
    lookup_counting: '您正在此处盘点：数量不显示。',
    being_counted: '盘点中', expires: '有效期至',
    qc_hold: '质检冻结', qc_released: '质检放行', qc_rejected: '质检拒收'
  }
};
