"""The article library: parsing articles, storing them with a full-text index, and quoting
short, cited excerpts from them (`/excerpt`, `/article`, `groupbot excerpt`)."""

from groupbot.library.model import Excerpt, ParsedArticle, SearchOutcome
from groupbot.library.service import ExcerptService

__all__ = ["Excerpt", "ExcerptService", "ParsedArticle", "SearchOutcome"]
