"""Domain operations. They take a SQLAlchemy connection and plain values, never a request."""
