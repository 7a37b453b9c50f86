"""Plan delivery: themes, objectives, reporting periods and RAG assessments with reasons."""
