"""Common Danish first names, for the personal-data check of anonymous sparring requests.

Only capitalised words are compared against this list. Names that are also everyday Danish
words (Bo, Per, Hans, Liv, Sol, Storm, Maj, Rosa, Ask, Gry, Sten, Vilde...) are left out on
purpose: a false alarm on every sentence that starts with "Per dag..." would teach people to
ignore the warning.
"""

_NAMES = """
    Aage Abdi Adam Agnes Ahmad Ahmed Aisha Aksel Albert Alberte Alexander Alfred Ali Alma
    Amalie Amanda Amina Amira Anders Andrea Andreas Anna Anne Annette Anton Arthur Asger Asta
    August Aya Benjamin Bent Bertram Birgit Birgitte Bjarke Bodil Brian Camilla Carl Caroline
    Casper Cecilie Charlotte Christian Christina Christoffer Clara Claus Daniel David Dennis Dorthe
    Ebba Edith Elias Eline Elisabeth Ella Ellen Ellie Elliot Elna Emil Emilie Emily Emma Erik
    Esben Esther Eva Fatima Felix Filippa Flemming Frederik Freja Frida Gitte Gustav Hamza Hanne
    Hassan Hedda Helle Henrik Hugo Ida Inge Isabella Isabel Jacob Jakob Jan Jannik Jens
    Jeppe Jesper Jette Johan Johanne Jonas Jonathan Josefine Julie Julius Jørgen Karen Karin
    Karla Karl Kasper Katrine Kirsten Kristian Lars Laura Laurits Lea Leah Lene Leo Liam
    Lilly Line Linea Lisbeth Liva Lone Louise Lucas Lukas Luna Lærke Mads Magnus Maja Malou
    Malthe Mads Maria Marie Marius Martin Mathias Mathilde Mette Mia Michael Mikkel Milas Mille
    Mohamed Mohammad Molly Morten Nanna Naja Nicolai Niels Nikolaj Nina Noah Nora Ole Olga
    Oliver Olivia Omar Oscar Oskar Otto Peter Pernille Philip Pia Rasmus Rikke Sara Sarah
    Saga Sebastian Sigrid Signe Silas Silje Simon Sofia Sofie Sophia Stine Susanne Svend
    Thea Theo Theodor Thomas Tilde Tobias Troels Ulla Valdemar Vera Victor Victoria Viggo
    Viktor Villads Villum William Vitus Yasmin Yusuf Zakaria Zara Ømer Aron Alba Bella Dagmar
    Esmeralda Filip Gabriel Hjalte Holger Ingrid Isak Jasmin Johannes Konrad Marcus Merle
    Naomi Olivier Pelle Rebecca Sander Selma Tristan Walter
"""
COMMON_FIRST_NAMES = frozenset(_NAMES.split())
