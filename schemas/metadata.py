"""What the dataset as a whole says about itself: name, title, licences, keywords."""

NAME = "csto-open-data"
TITLE = "CSTO open data: members, treaty events and troop deployments"
DESCRIPTION = (
    "An open, sourced dataset on the Collective Security Treaty Organization (CSTO) and the "
    "1992 Collective Security Treaty it grew from: every spell of every state's participation, "
    "the events that shaped the treaty and the organisation, the members' requests for help "
    "and what came of them, its Secretaries General, the sessions of its Collective Security "
    "Council, its exercises and collective forces, and its troop deployments, with every "
    "figure kept as each source reported it. Every row cites its sources; "
    "countries carry ISO 3166-1, Correlates of War and Wikidata codes."
)
DATA_LICENSE = {
    "name": "CC-BY-4.0",
    "title": "Creative Commons Attribution 4.0 International",
    "path": "https://creativecommons.org/licenses/by/4.0/",
}
AUTHOR = "CSTO open data contributors"
# The public repository's address (such as https://github.com/<owner>/<name>), given as
# `repository-code` in CITATION.cff and under "How to cite" on the page. Empty while it is
# not known: it is never guessed.
REPOSITORY = ""
KEYWORDS = (
    "CSTO",
    "Collective Security Treaty Organization",
    "alliances",
    "international relations",
    "Correlates of War",
    "Kazakhstan 2022",
    "peacekeeping",
)
