"""What other apps may use of the catalogue (证明事项清单): the one door into ``catalog``.

Other apps import from here only (import-linter's "only through api" contracts); everything else
in ``catalog`` may change without telling them. The project's composition (``portal``'s settings,
demo and supervision) is not an app and may read more.
"""

from .hooks import MATTER_PAGE_PANELS
from .models import AdministrativeService, Catalogue, VerificationMethod, decision_words, verification_promise
from .negative_list import Check as NegativeListCheck
from .negative_list import SubjectKind
from .selectors import public_filter_choices, public_matter, public_matters

__all__ = [
    # models other apps refer to or query
    "AdministrativeService",
    "Catalogue",
    "VerificationMethod",
    # wording shared with the letters and decisions
    "decision_words",
    "verification_promise",
    # the public catalogue (what a citizen may choose from)
    "public_filter_choices",
    "public_matter",
    "public_matters",
    # the negative list (告知承诺制负面清单): how an entry is checked, the kinds of subject
    "NegativeListCheck",
    "SubjectKind",
    # pages catalog renders with a panel from an app to its right (registered in AppConfig.ready)
    "MATTER_PAGE_PANELS",
]
