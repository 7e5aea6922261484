"""The article library: parsing articles, storing them with a full-text index, and quoting
short, cited excerpts from them (`/excerpt`, `/article`, `groupbot excerpt`).

The service lives in `groupbot.library.service`; it is not imported here, because the
storage layer imports this package's model (and the service imports the storage layer)."""

from groupbot.library.model import Excerpt, ParsedArticle, SearchOutcome

__all__ = ["Excerpt", "ParsedArticle", "SearchOutcome"]
