"""groupbot: a bot for peer support groups working from codependency towards interdependence."""

__version__ = "0.1.0"
