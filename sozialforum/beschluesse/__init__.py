"""Beschluss tracking: status roll-up and traffic light, the timeline of one resolution, the
Sachstand table (export and re-import), and the leadership report."""
