"""Foreign names inside unspaced Chinese text, found by their sound in pinyin.

Chinese writes a foreign name as syllables inside an unspaced run ("特朗普表示"), so no
token is the name: ``han_names`` looks for a name's phonetic key among the run's 2-6
character pieces, romanised to pinyin ("telangpu" ~ "Trump").
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TypeVar

from crosswire.entities.romanise import phonetic, romanise, same_name, skeleton
from crosswire.entities.words import Tok

T = TypeVar("T")


def _is_han(c: str) -> bool:
    return "\u3400" <= c <= "\u9fff"


# Characters Chinese uses to spell foreign names (the common part of Xinhua's transliteration table):
# a piece made of others ("公司", company) is an ordinary word, however it sounds.
_TRANSLIT_HAN = frozenset("""阿埃艾爱安昂奥澳巴拜班邦包鲍贝本比彼毕宾波伯博布查达戴丹道德登迪蒂丁东杜多厄恩尔法范菲费芬
丰弗福富盖甘冈高戈格根古瓜哈海汉豪赫黑亨胡华霍基吉加贾杰金卡凯坎康考柯科克肯库夸奎昆拉莱兰朗劳勒雷蕾黎里利莉丽廉林琳隆
卢鲁路伦罗洛马玛迈麦曼芒梅蒙米密敏明莫默姆穆纳娜奈南内尼妮宁纽努诺欧帕潘庞佩彭皮珀普奇齐恰乔切琼丘萨塞赛桑瑟森沙莎尚舍
什史斯松苏索塔泰坦汤唐特提廷图托瓦万旺威韦维温沃乌伍西希锡夏谢辛休许雅亚扬耶伊因英尤于约泽扎詹兹佐黛琪琦丝娅茨策逊翰""")


def han_names(toks: Sequence[Tok], names: Iterable[tuple[str, T]]) -> list[tuple[int, int, T]]:
    """(start, end, what the name stands for) of each name heard in the tokens' Han runs, in text order.

    ``names``: (the name's phonetic key, words joined, e.g. "trump"; anything to hand back on a match).
    """
    wanted: dict[str, list[tuple[str, T]]] = {}   # by first letter: (the name's joined key, its payload)
    for key, payload in names:
        if len(skeleton(key)) >= 3:  # short keys ("Kim", "Ri") would match everyday syllables
            wanted.setdefault(key[:1], []).append((key, payload))
    found: list[tuple[int, int, T]] = []
    for t in toks:
        if len(t.text) < 2 or len(t.text) != t.end - t.start or not all(_is_han(c) for c in t.text):
            continue
        i = 0
        while i < len(t.text) - 1:
            match = None
            for size in range(min(6, len(t.text) - i), 1, -1):  # longest piece first
                if not all(c in _TRANSLIT_HAN for c in t.text[i : i + size]):
                    continue
                key = phonetic(romanise(t.text[i : i + size], "zh"))
                match = next(((size, payload) for name, payload in wanted.get(key[:1], [])
                              if skeleton(key) == skeleton(name) and same_name(key, name)), None)
                if match:
                    break
            if not match:
                i += 1
                continue
            size, payload = match
            found.append((t.start + i, t.start + i + size, payload))
            i += size
    return found


_RUN = re.compile("[" + "".join(sorted(_TRANSLIT_HAN)) + "]{2,8}")


def transliterated_runs(text: str) -> list[str]:
    """Runs of 2-8 characters of the transliteration table: where Chinese text may spell a foreign
    name, found without knowing the name ("特朗普表示" -> "特朗普"); ``han_names`` is the precise search
    when the names are known."""
    return _RUN.findall(text)
