"""The Sozialbericht: the periodic social report with a chapter per dimension, Sozialraum
portraits, the population projection and the Geschäftsstelle's Handlungsempfehlungen, as a Word
draft and a PDF from one content model (``inhalt.Bericht``), through the recipient's view."""
