"""The bundled sample source: AA-style (Turkish) and wire-style (English) article
pages, RSS/Atom feeds and sitemaps built from ``content/``, served on 127.0.0.1."""
