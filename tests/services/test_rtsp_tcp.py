"""The RTSP-over-TCP relay's decisions (services.rtsp_tcp): which SETUP it turns away and
how; which addresses it rewrites (the playing is tested on a real RTSP server in
tests/views/test_video_streams.py)."""

from __future__ import annotations

import pytest

from console.services.rtsp_tcp import RtspTcpRelay, asks_for_udp, unsupported_transport


def _setup(transport: str) -> bytes:
    return (
        "SETUP rtsp://127.0.0.1:8554/cam/stream=0 RTSP/1.0\r\n"
        f"Transport: {transport}\r\nCSeq: 3\r\nUser-Agent: Lavf61\r\n\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("transport", "udp"),
    [
        ("RTP/AVP/UDP;unicast;client_port=5000-5001", True),
        ("RTP/AVP;unicast;client_port=5000-5001", True),
        ("RTP/AVP;multicast", True),
        ("RTP/AVP/TCP;unicast;interleaved=0-1", False),
        ("RTP/AVP;unicast;client_port=5000-5001,RTP/AVP/TCP;interleaved=0-1", False),
    ],
)
def test_a_setup_asking_only_for_udp_is_turned_away(transport: str, udp: bool) -> None:
    assert asks_for_udp(_setup(transport)) is udp


def test_other_requests_pass() -> None:
    describe = b"DESCRIBE rtsp://h/cam RTSP/1.0\r\nCSeq: 2\r\nTransport: RTP/AVP\r\n\r\n"
    assert not asks_for_udp(describe)
    assert not asks_for_udp(b"$\x01\x00\x04abcd")


def test_the_answer_is_461_with_the_requests_cseq() -> None:
    answer = unsupported_transport(_setup("RTP/AVP;unicast"))
    assert answer == b"RTSP/1.0 461 Unsupported Transport\r\nCSeq: 3\r\n\r\n"


def test_only_plain_rtsp_is_relayed_and_credentials_stay_in_the_address() -> None:
    relay = RtspTcpRelay()
    try:
        local = relay.local_url("rtsp://u:p%40w@10.0.0.9/live/ch1?token=a")
        port = relay.listener("10.0.0.9", 554).port
        assert local == f"rtsp://u:p%40w@127.0.0.1:{port}/live/ch1?token=a"
        assert relay.local_url("rtsp://10.0.0.9:554/x").endswith(f"127.0.0.1:{port}/x")
        relay.local_url("rtsp://10.0.0.9:8554/x")  # another port: a listener of its own
        assert relay.listener("10.0.0.9", 8554).port != port
        for url in ("rtsps://gw/ch1", "http://gw/live.flv", "file:///clip.mp4"):
            assert relay.local_url(url) == url
    finally:
        relay.close()
