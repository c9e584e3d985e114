"""NLP extraction: stanza annotation, entities, quotes, quantities, time mentions."""
