"""How much the site shows at once: the sizes that decide its layout and what a build reads (kept
apart from the renderer so that `kb build` with nothing to do need not import it)."""

GROUP_ABOVE = 2000  # more findings than this: grouped pages
PER_GROUP = 100  # findings per grouped page
SEARCHED_UP_TO = 500  # findings: above this the theme's search index leaves finding pages to the explorer
HISTORY_COMMITS = 10  # the drift chart's commit axis: enough for a trend, cheap to rebuild
