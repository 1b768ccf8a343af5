"Bilingual vocabularies for demo names (kept apart so the generator reads as logic)."

CATEGORIES = [
    # code prefix, name, kind, unit, uses lots, shelf life days
    ('A01', 'Raw material - metal · 原材料-金属', 'raw', 'kg', False, 0),
    ('A02', 'Raw material - chemicals · 原材料-化工', 'raw', 'kg', True, 180),
    ('A03', 'Raw material - plastics · 原材料-塑料', 'raw', 'kg', False, 0),
    ('B01', 'Bought-in parts - electronics · 外购件-电子', 'component', 'u', True, 0),
    ('B02', 'Bought-in parts - fasteners · 外购件-紧固件', 'component', 'u', False, 0),
    ('B03', 'Packaging · 包装材料', 'component', 'u', False, 0),
    ('C01', 'Finished goods · 产成品', 'finished', 'u', True, 0),
    ]

RAW_WORDS = {
    'A01': ['Steel sheet 钢板', 'Aluminium bar 铝棒', 'Copper wire 铜线',
        'Stainless coil 不锈钢卷', 'Brass rod 黄铜棒', 'Zinc ingot 锌锭'],
    'A02': ['Epoxy resin 环氧树脂', 'Curing agent 固化剂', 'Solvent 溶剂',
        'Primer 底漆', 'Adhesive 胶粘剂', 'Flux 助焊剂'],
    'A03': ['ABS pellets ABS粒料', 'PP pellets PP粒料', 'PC sheet PC板',
        'Nylon 66 尼龙66', 'PVC compound PVC料'],
    'B01': ['Resistor 电阻', 'Capacitor 电容', 'MCU 单片机', 'Relay 继电器',
        'Connector 连接器', 'PCB 线路板', 'LED 发光二极管'],
    'B02': ['Hex bolt 六角螺栓', 'Nut 螺母', 'Washer 垫圈', 'Rivet 铆钉',
        'Screw 螺钉'],
    'B03': ['Carton 纸箱', 'Foam insert 泡沫内衬', 'Label 标签',
        'Pallet wrap 缠绕膜'],
    'C01': ['Motor controller 电机控制器', 'Pump housing 泵壳',
        'Control cabinet 控制柜', 'Sensor module 传感器模块',
        'Power supply 电源', 'Valve assembly 阀门总成'],
    }

SUPPLIERS = ['Shenzhen Huaxin Electronics 深圳华鑫电子',
    'Ningbo Steel Trading 宁波钢材贸易', 'Suzhou Chemical 苏州化工',
    'Dongguan Plastics 东莞塑胶', 'Wenzhou Fasteners 温州紧固件',
    'Foshan Packaging 佛山包装', 'Tianjin Metals 天津金属',
    'Xiamen Components 厦门元器件', 'Hangzhou Resin 杭州树脂',
    'Qingdao Wire & Cable 青岛线缆', 'Wuxi Precision 无锡精密',
    'Chengdu Materials 成都材料']

CUSTOMERS = ['Guangzhou Automation 广州自动化', 'Beijing Power Systems 北京电力系统',
    'Shanghai Pumps 上海泵业', 'Nanjing Rail Equipment 南京轨道设备',
    'Wuhan Machinery 武汉机械', 'Hefei Appliances 合肥家电',
    'Acme Industrial (US)', 'Nordic Controls AB', 'Müller Anlagenbau GmbH',
    'Osaka Robotics KK', 'Jinan Heavy Industry 济南重工',
    'Changsha Hydraulics 长沙液压', 'Kunming Energy 昆明能源',
    'Harbin Boilers 哈尔滨锅炉', 'Zhengzhou Mining 郑州矿机']

USERS = [
    # login, name, language, groups (xml ids in factory_stock_ext)
    ('zhang', 'Zhang Wei 张伟 (warehouse supervisor)', 'zh_CN',
        ['group_factory_supervisor']),
    ('li', 'Li Na 李娜 (warehouse clerk)', 'zh_CN', ['group_factory_clerk']),
    ('zhao', 'Zhao Lei 赵磊 (warehouse clerk)', 'zh_CN',
        ['group_factory_clerk']),
    ('wang', 'Wang Fang 王芳 (QC inspector)', 'zh_CN', ['group_factory_qc']),
    ('chen', 'Chen Jie 陈杰 (planner)', 'en', ['group_factory_planner']),
    ]
