"""Course languages: BCP 47 tags (RFC 5646), validated and written in their standard form by langcodes."""

import re

import langcodes

# What a tag may look like before langcodes looks closer: subtags of letters and digits joined by
# hyphens (`pt_BR` is refused, not guessed at, so the record's JSON Schema can say the same).
PATTERN = r"^[A-Za-z0-9]{1,8}(-[A-Za-z0-9]{1,8})*$"
_SHAPE = re.compile(PATTERN)
MESSAGE = "Give a BCP 47 language tag, such as en, pt-BR or zh-Hant."
# What the admin suggests (any other valid tag is accepted too): tag -> name.
SUGGESTED = {
    "ar": "Arabic",
    "de": "German",
    "en": "English",
    "en-GB": "English (United Kingdom)",
    "en-US": "English (United States)",
    "es": "Spanish",
    "fr": "French",
    "hi": "Hindi",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "pt-BR": "Portuguese (Brazil)",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh-Hans": "Chinese (Simplified)",
    "zh-Hant": "Chinese (Traditional)",
}


def standard_language(value) -> str | None:
    """The tag in its standard form (`PT-br` -> `pt-BR`), or None when `value` is not a valid BCP 47 tag."""
    if not isinstance(value, str) or len(value) > 35 or not _SHAPE.fullmatch(value):
        return None
    try:
        if not langcodes.tag_is_valid(value):
            return None
        tag = langcodes.standardize_tag(value)
    except (ValueError, LookupError):
        return None
    return tag if _SHAPE.fullmatch(tag) else None


def language_name(tag: str) -> str:
    """A name to show for a tag: the suggested list's, else the tag itself (no locale data needed)."""
    return SUGGESTED.get(tag, tag)
