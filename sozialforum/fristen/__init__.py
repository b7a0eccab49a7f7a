"""Deadlines from every source (Aufträge, Fortschreibungen with milestones, Maßnahme reviews),
their reminders and escalations, and the calendar feed of all of them."""
