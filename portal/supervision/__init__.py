"""监督统计: figures, charts, the assessment table and supervision notices (composition: may import every app)."""
