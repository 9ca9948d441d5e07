"""Imports of the platforms' weekly exports, the roster, incident logs and manual metrics: read, detect
the layout (profile), validate, resolve against the database, commit all or nothing, list and undo
batches; the people roster and host accounts.

Pages, the CLI and other domains use only the names below."""

from lib.importing.batches import UNDO_ROLES, UndoError, list_batches, undo
from lib.importing.cli import register_cli
from lib.importing.other_kinds import OtherKind, register_kind
from lib.importing.people import (
    PHONE_VISIBLE_ROLES,
    add_host_account,
    host_accounts_frame,
    mask_phone,
    people_frame,
    person_choices,
    remove_host_account,
)
from lib.importing.pipeline import ImportReport, Preview, import_bytes, preview, refused_file
from lib.importing.present import history_frame, preview_frame, profile_label
from lib.importing.profiles import FIELDS, KINDS, PLATFORMS
from lib.importing.readers import (
    MAX_COLUMNS,
    MAX_ROWS,
    MAX_UPLOAD_BYTES,
    MAX_UPLOAD_MB,
    RawTable,
    ReadError,
    check_size,
    read_bytes,
)
from lib.importing.resolve_events import incident_key
from lib.importing.saved_profiles import ProfileError, save_profile

__all__ = [
    "register_cli",
    "FIELDS",
    "KINDS",
    "MAX_COLUMNS",
    "MAX_ROWS",
    "MAX_UPLOAD_BYTES",
    "MAX_UPLOAD_MB",
    "PHONE_VISIBLE_ROLES",
    "PLATFORMS",
    "UNDO_ROLES",
    "ImportReport",
    "OtherKind",
    "Preview",
    "ProfileError",
    "RawTable",
    "ReadError",
    "UndoError",
    "add_host_account",
    "check_size",
    "host_accounts_frame",
    "import_bytes",
    "incident_key",
    "list_batches",
    "mask_phone",
    "history_frame",
    "people_frame",
    "person_choices",
    "preview",
    "preview_frame",
    "read_bytes",
    "profile_label",
    "refused_file",
    "register_kind",
    "remove_host_account",
    "save_profile",
    "undo",
]
