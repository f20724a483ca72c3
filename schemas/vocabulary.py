"""Values and patterns shared by several tables: the controlled vocabulary of the dataset."""

import datetime as dt

ISO3 = r"^[A-Z]{3}$"
ISO3_LIST = r"^[A-Z]{3}(;[A-Z]{3})*$"
SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
SLUG_LIST = r"^[a-z0-9]+(-[a-z0-9]+)*(;[a-z0-9]+(-[a-z0-9]+)*)*$"
HTTP_URL = r"^https?://[^\s]+$"

DATE_PRECISIONS = ("day", "month", "year")
SPELL_STATUSES = ("member", "frozen", "suspended", "observer", "partner")
# The statuses under which a state is still a party to the treaty: it may chair the
# Council, ask for help, attend or stay away.
PARTY_STATUSES = ("member", "frozen")
YEAR_STATUSES = (*SPELL_STATUSES, "not_member")
SPELL_STARTS = ("signature", "accession", "ratification", "rejoining", "status_change")
SPELL_ENDS = ("non_renewal", "withdrawal", "suspension", "status_change")
EVENT_TYPES = (
    "signature",
    "accession",
    "ratification",
    "entry_into_force",
    "protocol",
    "non_renewal",
    "withdrawal",
    "suspension",
    "rejoining",
    "charter",
    "decision",
    "agreement",
    "status_change",
    "non_participation",
    "request",
    "arrival",
    "full_deployment",
    "withdrawal_start",
    "withdrawal_end",
)
# What a search of the stored pages for a series' exercise of a year found.
SEARCH_FINDINGS = ("recorded", "held_not_recorded", "announced_only", "none_found")
QUALIFIERS = ("exact", "approximate", "at_least", "up_to", "planned")
# Who made a claim of a figure: a state's body or office-holder, a CSTO body or official,
# a named expert, the press (an outlet's own figure, or one it attributes to no one), or
# unknown (the page could not be read again to see).
CLAIMANT_KINDS = ("state", "csto", "expert", "press", "unknown")
# The criteria of the rule that prefers one figure of a group, in the order it applies
# them; `only_figure` where the group has one.
PREFERENCE_REASONS = (
    "only_figure",
    "actual_over_planned",
    "claimant",
    "exact_over_qualified",
    "most_recent",
    "first_source",
)
SOURCE_KINDS = ("official", "news", "reference", "dataset", "scholarly")

# The Collective Security Treaty was signed in Tashkent on this day; nothing in the
# dataset can happen before it.
TREATY_SIGNED = dt.date(1992, 5, 15)
FIRST_YEAR = TREATY_SIGNED.year
ROLES = ("secretary_general", "acting")
TERM_ENDS = ("term_expired", "recalled", "successor_took_office")
ASSEMBLY_STATUS_ENDS = ("chamber_ceased", "status_withdrawn")
REQUESTS = ("troops", "consultations", "military_aid", "political_support", "assessment")
LEGAL_BASES = ("article_2", "article_4", "none_named")
RESPONSES = (
    "deployment",
    "assessment_mission",
    "monitoring_mission",
    "consultations",
    "statement",
    "military_aid",
    "declined",
    "no_response",
)
SESSION_KINDS = ("regular", "extraordinary", "informal")
SESSION_FORMATS = ("in_person", "online")
EXERCISE_SERIES = (
    "rubezh",
    "interaction",
    "indestructible-brotherhood",
    "search",
    "echelon",
    "cobalt",
    "thunder",
    "combat-brotherhood",
    "other",
)
EXERCISE_STATUSES = ("held", "cancelled", "moved")
EXERCISE_ROLES = ("host", "participant", "observer")
MEASURES = (
    "personnel",
    "equipment",
    "vehicles",
    "armoured_vehicles",
    "aircraft",
    "transport_aircraft",
    "helicopters",
    "drones",
    "ships",
)
INSTRUMENT_KINDS = ("treaty", "protocol", "charter", "agreement")
STATE_STEPS = (
    "signature",
    "ratification",
    "deposit",
    "entry_into_force",
    "withdrawal",
    "suspension",
)
EXTERNAL_DATASETS = ("atop", "cow")
EXTERNAL_ENTRIES = ("joined", "phase_start")
EXTERNAL_EXITS = ("in_effect", "phase_end", "not_renewed", "left_early")
