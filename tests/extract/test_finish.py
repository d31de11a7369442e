"""Control characters from collected files are shown, never acted on."""

from __future__ import annotations

import unicodedata

from shiliao.extract.finish import visible_controls


def test_every_control_character_is_shown_as_a_symbol() -> None:
    controls = "".join(chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)])
    shown = visible_controls(f"标题{controls}结束")
    assert len(shown) == len(controls) + 4
    assert not any(unicodedata.category(c) == "Cc" for c in shown)
    assert visible_controls("a\x1b[31mb\x07\n") == "a␛[31mb␇␊"
    assert visible_controls("\x7f\x85") == "␡\ufffd"
    assert visible_controls("关于结对认亲的通知.pdf") == "关于结对认亲的通知.pdf"
