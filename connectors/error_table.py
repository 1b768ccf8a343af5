"""Which vendor answer is which error class — decided here, in one table.

Three classes, and what the caller (the outbox) does with each:

  AUTH       credentials, rights or licence: stop posting to that endpoint and
             tell a supervisor; retrying cannot help.
  RETRYABLE  timeouts, locks, the remote's proxy down, 5xx, rate limits: try
             again later, with backoff.
  BUSINESS   the remote understood and refused (stock deficit, unknown
             material…): dead letter with the vendor's own message.

Plus two that are not failures: EMPTY (a look-up that found nothing, e.g. U8
20002) and RELOGIN (Kingdee MsgCode 1: log in again ONCE, then AUTH).

Sources are the vendor samples (connectors/tests/vendor_samples/*/*.source).
Entries marked UNCONFIRMED are our reading where no source settles it; each
client takes overrides (``error_overrides=``) so a site can correct them.
"""
import re

AUTH, RETRYABLE, BUSINESS, EMPTY, RELOGIN = "auth", "retryable", "business", "empty", "relogin"

TABLE = {
    "kingdee": {
        # ResponseStatus.MsgCode, list of the vendor's WebAPI page
        # (vendor_samples/kingdee/form_op_reply_template.json.source).
        "msgcode": {
            0: BUSINESS,      # 默认 (a refusal with no specific code)
            1: RELOGIN,       # 上下文丢失 / "会话信息已丢失": in practice bad credentials or rights
            2: AUTH,          # 没有权限
            3: BUSINESS,      # 操作标识为空
            4: BUSINESS,      # 异常 (server-side exception on our data) — UNCONFIRMED, could be transient
            5: BUSINESS,      # 单据标识为空
            6: RETRYABLE,     # 数据库操作失败 (deadlock/timeout in the remote DB) — UNCONFIRMED
            7: AUTH,          # 许可错误 (licence)
            8: BUSINESS,      # 参数错误
            9: BUSINESS,      # 指定字段/值不存在
            10: BUSINESS,     # 未找到对应数据
            11: BUSINESS,     # 验证失败
            12: BUSINESS,     # 不可操作
            13: RETRYABLE,    # 网控冲突: the bill is open/locked by another user
            14: RETRYABLE,    # 调用限制 (rate limit)
            15: AUTH,         # 禁止管理员登录
        },
        # Texts that decide whatever the code (the vendor sometimes sends MsgCode 0).
        "messages": [
            (r"会话信息已丢失|上下文丢失|会话已超时", RELOGIN),
            (r"没有该功能的操作权限|没有权限|无权", AUTH),
            (r"网控|正在被.*(编辑|使用|锁定)|被锁定", RETRYABLE),
        ],
    },
    "yonyou": {
        # errcode (a string).  Only 20002 and 30021 are published
        # (vendor_samples/yonyou/batch_get_no_match_20002.json, app_not_online_30021.json).
        "errcode": {
            "20002": EMPTY,   # 未检索到匹配的[…]: nothing matched (reads); on writes a BUSINESS refusal
            "30021": AUTH,    # 此应用未上线 / not authorised by the enterprise
        },
        # Codes for token expiry, rate limits, duplicates and the proxy are UNCONFIRMED:
        # decided on the message, codes configurable per client.
        "messages": [
            (r"客户端未登录|请检查服务器是否启动|EAI|连接.*(失败|超时)|网络", RETRYABLE),   # EAI proxy down
            (r"(?i)token.*(无效|失效|过期|不存在|invalid|expired)", RELOGIN),
            (r"(?i)(app_?key|app_?secret|from_account|授权|未上线|无权|权限)", AUTH),
            (r"频率|超限|过于频繁|(?i:rate limit|too many)", RETRYABLE),
        ],
    },
    "sap": {
        "http": {401: AUTH, 403: AUTH, 408: RETRYABLE, 423: RETRYABLE, 429: RETRYABLE},
        # Message ids: M3/897 (material locked by a user) — UNCONFIRMED id, see
        # vendor_samples/sap/error_locked.json; M7/021 stock deficit is a refusal.
        "codes": {"M3/897": RETRYABLE, "M3/024": RETRYABLE, "M7/021": BUSINESS},
        "messages": [
            (r"(?i)\bis locked by\b|\bblocked by user\b|\bgesperrt\b|\block(ed)? (entry|table)\b", RETRYABLE),
            (r"(?i)not authori[sz]ed|no authori[sz]ation", AUTH),
        ],
    },
}

_compiled = {}


def _messages(system, overrides):
    rules = list((overrides or {}).get("messages", ())) + TABLE[system].get("messages", [])
    key = (system, tuple(rules))
    if key not in _compiled:
        _compiled[key] = [(re.compile(p), cls) for p, cls in rules]
    return _compiled[key]


def classify(system, *, code=None, status=None, message="", overrides=None, default=BUSINESS):
    """The class of one vendor answer; ``overrides`` = {"msgcode"/"errcode"/"codes"/"http": {…}, "messages": […]}."""
    table, overrides = TABLE[system], overrides or {}
    # The words first: vendors send a generic code (Kingdee MsgCode 0, an SAP wrapper
    # id) with a telling message more often than the reverse.
    for pattern, cls in _messages(system, overrides):
        if message and pattern.search(message):
            return cls
    for kind in ("msgcode", "errcode", "codes"):
        if code is None or kind not in table and kind not in overrides:
            continue
        merged = dict(table.get(kind, {}), **overrides.get(kind, {}))
        if code in merged:
            return merged[code]
    if status is not None:
        merged = dict(table.get("http", {}), **overrides.get("http", {}))
        if status in merged:
            return merged[status]
        if status >= 500:
            return RETRYABLE
    return default
