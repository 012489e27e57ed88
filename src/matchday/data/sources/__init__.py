"""One reader per data provider; every reader yields :class:`matchday.data.domain.Match` objects."""
