"""监督统计与督查通报: the supervision app, at the top of the dependency order (it reads every app's figures)."""
