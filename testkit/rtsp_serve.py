"""An RTSP server on loopback serving an H.264 mp4 without re-encoding (gst-rtsp-server).

Run with the SYSTEM Python (``/usr/bin/python3 testkit/rtsp_serve.py CLIP PORT [LOG]``): the
GStreamer bindings come from Debian (python3-gi, gir1.2-gst-rtsp-server-1.0,
gstreamer1.0-plugins-good/-bad), not from PyPI. The mount is ``/cam``; every client gets the
clip from its start (not shared), which is what a camera re-served by a gateway looks like.
With LOG, the ``Transport`` header of every SETUP a client sends is appended to that file,
one line each (``RTP/AVP/TCP;…`` for RTSP over TCP, ``RTP/AVP;unicast;client_port=…`` or
``RTP/AVP/UDP;…`` for UDP).
"""

import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402


def log_setups(server: "GstRtspServer.RTSPServer", log: str) -> None:
    """Append each SETUP's Transport header to ``log``."""

    def on_setup(_client: object, ctx: "GstRtspServer.RTSPContext") -> None:
        _result, value = ctx.request.get_header(GstRtsp.RTSPHeaderField.TRANSPORT, 0)
        with open(log, "a", encoding="utf-8") as out:
            out.write(f"{value}\n")

    server.connect("client-connected", lambda _s, client: client.connect("setup-request", on_setup))


def main(clip: str, port: int, log: str = "") -> None:
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(str(port))
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(
        f'( filesrc location="{clip}" ! qtdemux ! h264parse config-interval=-1 '
        "! rtph264pay name=pay0 pt=96 config-interval=1 )"
    )
    factory.set_shared(False)
    server.get_mount_points().add_factory("/cam", factory)
    if log:
        log_setups(server, log)
    if server.attach(None) == 0:
        raise SystemExit(f"cannot listen on {port}")
    print("ready", flush=True)
    GLib.MainLoop().run()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:4])
