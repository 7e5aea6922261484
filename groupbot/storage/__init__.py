"""All SQL lives in this package: the database, its migrations, and one repository per concern."""
