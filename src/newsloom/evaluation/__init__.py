"""Evaluation of newsloom stages against gold data (entities, weaving...)."""
