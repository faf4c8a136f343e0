"""The one table of limits (docs/security.md), shared by validate, build, verify and check.

Every input kitgen reads from outside its own library is bounded here, so that what `validate`
accepts builds, and what `build` writes passes `kitgen check` (the build verifies each file with
the very limits check reads it with). kitgen/ooxml keeps its own copies of the package limits (the
format layer imports nothing of kitgen); tests/test_hostile_limits.py asserts they agree.
"""
from __future__ import annotations

KiB = 1024
MiB = 1024 * 1024

# --- YAML files (profiles, catalogs, clause files, score results) --------------------------
YAML_MAX_BYTES = 20 * MiB            # a profile or clause file is never this large
YAML_MAX_NODES = 1_000_000           # values after alias expansion (alias bombs)
YAML_MAX_DEPTH = 60

# --- the profile ----------------------------------------------------------------------------
TEXT_MAX_CHARS = 2000                # one text value (company name, address, a reason …)
MAX_OUTLETS = 20_000                 # outlets, from the profile or its outlets_file
MAX_PRODUCTS = 300                   # products (each printed in several documents)
MAX_LIST_ITEMS = 200                 # certifications, honors, carriers, exclusions
# an outlet's fields are printed once per outlet in the outlet list: kept short, so that the
# largest network still makes an outlet list well under ZIP_MAX_MEMBER (measured in the tests)
OUTLET_FIELD_MAX_CHARS = {"name": 300, "partner": 300, "province": 50, "city": 50, "address": 300,
                          "phone": 50}
PRODUCT_FIELD_MAX_CHARS = 300        # a product's name and category

# --- the outlets spreadsheet (outlets_file) --------------------------------------------------
OUTLETS_FILE_MAX_BYTES = 64 * MiB    # on disk, .csv or .xlsx, checked before it is parsed
OUTLETS_XLSX_MAX_MEMBER = 256 * MiB  # one part of the .xlsx once uncompressed (checked before inflating)
OUTLETS_XLSX_MAX_TOTAL = 512 * MiB   # all parts together
OUTLETS_MAX_COLUMNS = 64             # header cells read (kitgen knows 9 columns)
OUTLETS_MAX_ROWS_READ = 5 * MAX_OUTLETS   # rows looked at, blank ones included
CSV_FIELD_MAX_BYTES = 128 * KiB      # one CSV cell (Python's csv default)
MAX_PROBLEMS_PER_FILE = 50           # problems listed for one spreadsheet; the rest are counted

# --- a kit's files: written by build (kitgen.kit.verify) and read back by check --------------
KIT_FILE_MAX_BYTES = 100 * MiB       # one file on disk (company scans are only hashed, streamed)
MANIFEST_MAX_BYTES = 20 * MiB        # kit.json
ZIP_MAX_ENTRIES = 5000
ZIP_MAX_CENTRAL_DIR = 4 * MiB
ZIP_MAX_MEMBER = 192 * MiB           # one part once uncompressed
ZIP_MAX_TOTAL = 256 * MiB            # all parts of one Office file together
ZIP_MAX_RATIO = 500                  # uncompressed / compressed, for parts over ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 1 * MiB

# --- templates (clause texts, the application form): the sandbox ----------------------------
TEMPLATE_MAX_OUTPUT = 2_000_000      # characters one rendered text may produce
TEMPLATE_MAX_FORM_OUTPUT = 50_000_000   # … the application form (docxtpl renders the template's own XML)
TEMPLATE_MAX_STRING = 2_000_000      # characters (or items) of any value a template builds
TEMPLATE_MAX_WIDTH = 10_000          # a padding or format width ('{:>N}', zfill, center, indent …)
TEMPLATE_MAX_STEPS = 1_000_000       # loop iterations (a call counts 16) in one rendering
TEMPLATE_MAX_BUILD_STEPS = 10_000_000   # … in all the renderings of one build (the bundled library: ~17,000)
TEMPLATE_MAX_SECONDS = 10.0          # wall time of one rendering
TEMPLATE_MAX_POWER_BITS = 4096       # 2**4096: far beyond any number a document prints

# --- other files kitgen reads ------------------------------------------------------------------
REFERENCE_DOC_MAX_BYTES = 50 * MiB   # a reference document (--reference-doc, templates/base.docx), unpacked
SCORE_FILE_MAX_BYTES = KIT_FILE_MAX_BYTES
TOML_MAX_BYTES = 1 * MiB             # kitgen.toml
JSON_MAX_DEPTH = 100                 # kit.json nesting (Python's json recurses)

# --- names on disk -------------------------------------------------------------------------
NAME_MAX_BYTES = 255                 # one path component (ext4, NTFS, APFS)
NEW_SUFFIX_BYTES = len(".new")       # a kept file's new version is NAME.new.EXT: its room is reserved
