"""OParl 1.0/1.1 (the standard interface of council information systems): import over HTTP or
from files, tolerant of real endpoints' defects; export of our Gremien, Sitzungen,
Tagesordnungspunkte and Beschlüsse as valid OParl 1.1, with the implementation status under our
own vendor prefix (OParl has none)."""
