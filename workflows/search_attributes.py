"""Search attributes for operational listing.

For example ``temporal workflow list --query "AssignmentStage='introduced'"``.
"""

from __future__ import annotations

from temporalio.common import SearchAttributeKey

ASSIGNMENT_STAGE = SearchAttributeKey.for_keyword("AssignmentStage")
DIRECTIVE_ID = SearchAttributeKey.for_keyword("DirectiveId")
POST_ID = SearchAttributeKey.for_keyword("PostId")
COMMUNE_ID = SearchAttributeKey.for_keyword("CommuneId")
CELL_ID = SearchAttributeKey.for_keyword("CellId")
MEMBER_ID = SearchAttributeKey.for_keyword("MemberId")

ALL = (ASSIGNMENT_STAGE, DIRECTIVE_ID, POST_ID, COMMUNE_ID, CELL_ID, MEMBER_ID)

# name -> type, as `temporal server start-dev --search-attribute NAME=TYPE` takes them.
DEFINITIONS = {key.name: "Keyword" for key in ALL}
