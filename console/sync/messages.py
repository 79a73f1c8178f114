"""What the officer reads when talking to the server fails: one plain Chinese line per cause.

The sign-in dialog, the sync status and ``duty-console sync`` all say it with these
functions, so a refused connection, an untrusted certificate or a wrong password reads the
same everywhere, and no library text (urllib3's, the ssl module's) reaches the officer;
that goes to the log.
"""

from __future__ import annotations

from console.sync.client import SyncHttpError, Unreachable

UNTRUSTED = (
    "无法与服务器建立安全连接：服务器证书不受本机信任。请联系技术保障人员"
    "安装指挥中心的证书（或设置 REQUESTS_CA_BUNDLE），不要忽略此警告。"
)
WRONG_PASSWORD = "用户名或密码错误"
# The server no longer accepts this sign-in (password, role or account changed there, or the
# account was signed out) and signing in again with the password in memory failed.
SIGN_IN_AGAIN = (
    "登录已失效（账号密码或状态已在服务器上变更），请在“同步状态”页点击“切换账号…”重新登录"
)
NEED_CREDENTIALS = "请输入账号和密码"
BAD_URL = "服务器地址应以 http:// 或 https:// 开头"

_WHY = {
    "refused": "连接被拒绝，服务器未运行或地址、端口不对",
    "timeout": "连接超时，网络不通或服务器无响应",
    "name": "找不到该服务器名称，请检查地址",
    "other": "网络中断或服务器无响应",
}


def credentials_problem(server_url: str, username: str, password: str) -> str | None:
    """Why these cannot be sent to a server at all (None: they can)."""
    if not server_url.startswith(("http://", "https://")):
        return BAD_URL
    if not username or not password:
        return NEED_CREDENTIALS
    return None


def unreachable_text(exc: Unreachable, server_url: str = "") -> str:
    """One line for a server that did not answer, by cause."""
    if exc.kind == "tls":
        return UNTRUSTED
    where = f" {server_url}" if server_url else ""
    why = _WHY.get(exc.kind, _WHY["other"])
    return f"无法连接服务器{where}：{why}。本机数据不受影响，请检查网络后重试。"


def refused_text(exc: SyncHttpError) -> str:
    """One line for a server that answered with an error status."""
    if exc.status == 401:
        return WRONG_PASSWORD
    detail = exc.payload.get("detail")
    if isinstance(detail, str) and detail and detail.isprintable() and "\n" not in detail:
        return f"服务器拒绝（HTTP {exc.status}）：{detail[:160]}"
    return f"服务器拒绝（HTTP {exc.status}）"


def error_text(exc: Exception, server_url: str = "") -> str:
    """The line for any failure of a sync call."""
    if isinstance(exc, Unreachable):
        return unreachable_text(exc, server_url)
    if isinstance(exc, SyncHttpError):
        return refused_text(exc)
    return "同步出错，详见日志"
