"""Community engagement: Community Days and other visits, what residents raised, the debrief
actions, closing the loop with a public "you said, we did" line, coverage (DOMAIN.md §4)."""
