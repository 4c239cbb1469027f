"""The limits of a course record, in one place (docs/import.md lists them under "Limits").

The record format (catalog.domain.records), the API's request bodies (DATA_UPLOAD_MAX_MEMORY_SIZE
in config/settings.py) and the import's lines all take them from here, so a record that is valid by
these limits is accepted by PUT and by the import alike. No imports: settings read this module.
"""

MAX_UNITS = 200  # per course
MAX_MODULES_PER_UNIT = 200
MAX_DESCRIPTION_LENGTH = 20_000  # characters
MAX_CONTENT_LENGTH = 100_000  # characters of one module's content
MAX_MODULE_MINUTES = 10_000  # a module's `minutes` (a week of work; the course's sum fits any integer column)
# One record as JSON text, in bytes of UTF-8: a PUT or POST body, a line of a JSON Lines file, a
# record of a JSON file (measured as compact JSON). 16 MiB holds, e.g., 160 modules of 100,000
# characters; the field limits alone would allow far more than any server should parse at once.
MAX_RECORD_BYTES = 16 * 1024 * 1024
