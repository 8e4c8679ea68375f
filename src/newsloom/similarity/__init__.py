"""Article-pair similarity on the SemEval-2022 Task 8 scale (1 = same .. 4 = unrelated)."""
