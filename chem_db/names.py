"""Chemical names: normalization for lookup, and salt / hydrate words in English and Spanish.

A name on an order line is typed by a person: "Pseudoephedrine HCl", "clorhidrato de efedrina",
"alpha-phenylacetoacetonitrile", "α-Phenylacetoacetonitrile", "Anhídrido acético". Lookup keys
drop case, accents, spacing and punctuation and spell Greek letters out, so all of these meet the
watchlist's synonyms and the dictionary's names.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_GREEK = {
    "α": "alpha",
    "β": "beta",
    "γ": "gamma",
    "δ": "delta",
    "ε": "epsilon",
    "ω": "omega",
    "µ": "mu",
    "μ": "mu",
    "κ": "kappa",
    "λ": "lambda",
    "σ": "sigma",
    "τ": "tau",
    "ψ": "psi",
}
_PUNCT = re.compile(r"[^0-9a-z]+")

# Element symbols, to tell a formula written in capitals ("KOH", "HI", "NO") from an abbreviation ("DEA").
_ELEMENT = (
    r"(?:H|He|Li|Be|B|C|N|O|F|Ne|Na|Mg|Al|Si|P|S|Cl|Ar|K|Ca|Sc|Ti|V|Cr|Mn|Fe|Co|Ni|Cu|Zn|Ga|Ge|As|Se|Br|Kr|"
    r"Rb|Sr|Y|Zr|Nb|Mo|Tc|Ru|Rh|Pd|Ag|Cd|In|Sn|Sb|Te|I|Xe|Cs|Ba|La|Ce|Pr|Nd|Pm|Sm|Eu|Gd|Tb|Dy|Ho|Er|Tm|Yb|"
    r"Lu|Hf|Ta|W|Re|Os|Ir|Pt|Au|Hg|Tl|Pb|Bi|Po|At|Rn|Fr|Ra|Ac|Th|Pa|U|Np|Pu)"
)
_FORMULA = re.compile(rf"(?:{_ELEMENT}\d*){{2,}}")
_ABBREVIATION = re.compile(r"[A-Z]{2,4}")


def is_bare_abbreviation(text: str) -> bool:
    """Two to four capital letters that are not a formula: a trade abbreviation ("DEA", "PG", "LPG"),
    whose meaning depends on the trade, not a name.

    >>> [is_bare_abbreviation(t) for t in ("DEA", "PG", "LPG", "KOH", "HI", "Urea", "lye", "TEA")]
    [True, True, True, False, False, False, False, True]
    """
    text = text.strip()
    return bool(_ABBREVIATION.fullmatch(text)) and not _FORMULA.fullmatch(text)


def name_key(name: str) -> str:
    """The lookup key of a name: lower case, no accents, Greek spelled out, no spaces or punctuation.

    >>> name_key("α-Phenylacetoacetonitrile") == name_key("alpha phenylacetoacetonitrile")
    True
    >>> name_key("Anhídrido  Acético")
    'anhidridoacetico'
    """
    text = name.strip().lower()
    for letter, word in _GREEK.items():
        text = text.replace(letter, word)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _PUNCT.sub("", text)


@dataclass(frozen=True)
class SaltWord:
    """A salt or hydrate word and what it adds to the parent, so the mass as given can be counted."""

    counter_smiles: str  # counter-ion / solvent as a neutral molecule ("" for none)
    counter_count: int = 1  # molecules of it per salt unit
    parent_count: int = 1  # parent molecules per salt unit (2 for a sulfate of a base)
    metal: bool = False  # a metal salt of an acid (replaces acidic H)


# Words meaning "salt of" / "hydrate of". Keys are name_key() forms. Sources: common pharmacopoeial
# salt names (English) and their Spanish equivalents used in Mexican trade documents.
SALT_WORDS: dict[str, SaltWord] = {
    "hydrochloride": SaltWord("Cl"),
    "hcl": SaltWord("Cl"),
    "clorhidrato": SaltWord("Cl"),
    "hidrocloruro": SaltWord("Cl"),
    "chlorhydrate": SaltWord("Cl"),
    "dihydrochloride": SaltWord("Cl", 2),
    "diclorhidrato": SaltWord("Cl", 2),
    "2hcl": SaltWord("Cl", 2),
    "dihcl": SaltWord("Cl", 2),
    "hydrobromide": SaltWord("Br"),
    "hbr": SaltWord("Br"),
    "bromhidrato": SaltWord("Br"),
    "hydroiodide": SaltWord("I"),
    "hydriodide": SaltWord("I"),
    "yodhidrato": SaltWord("I"),
    "sulfate": SaltWord("OS(=O)(=O)O", 1, 2),
    "sulphate": SaltWord("OS(=O)(=O)O", 1, 2),
    "sulfato": SaltWord("OS(=O)(=O)O", 1, 2),
    "hemisulfate": SaltWord("OS(=O)(=O)O", 1, 2),
    "bisulfate": SaltWord("OS(=O)(=O)O"),
    "hydrogensulfate": SaltWord("OS(=O)(=O)O"),
    "phosphate": SaltWord("OP(=O)(O)O"),
    "fosfato": SaltWord("OP(=O)(O)O"),
    "nitrate": SaltWord("O[N+](=O)[O-]"),
    "nitrato": SaltWord("O[N+](=O)[O-]"),
    "tartrate": SaltWord("OC(=O)C(O)C(O)C(=O)O", 1, 2),
    "bitartrate": SaltWord("OC(=O)C(O)C(O)C(=O)O"),
    "tartrato": SaltWord("OC(=O)C(O)C(O)C(=O)O", 1, 2),
    "maleate": SaltWord("OC(=O)/C=C\\C(=O)O"),
    "maleato": SaltWord("OC(=O)/C=C\\C(=O)O"),
    "fumarate": SaltWord("OC(=O)/C=C/C(=O)O"),
    "fumarato": SaltWord("OC(=O)/C=C/C(=O)O"),
    "citrate": SaltWord("OC(=O)CC(O)(CC(=O)O)C(=O)O"),
    "citrato": SaltWord("OC(=O)CC(O)(CC(=O)O)C(=O)O"),
    "oxalate": SaltWord("OC(=O)C(=O)O"),
    "oxalato": SaltWord("OC(=O)C(=O)O"),
    "mesylate": SaltWord("CS(=O)(=O)O"),
    "methanesulfonate": SaltWord("CS(=O)(=O)O"),
    "mesilato": SaltWord("CS(=O)(=O)O"),
    "tosylate": SaltWord("Cc1ccc(S(=O)(=O)O)cc1"),
    "besylate": SaltWord("OS(=O)(=O)c1ccccc1"),
    "acetate": SaltWord("CC(=O)O"),
    "acetato": SaltWord("CC(=O)O"),
    "sodiumsalt": SaltWord("[Na]", metal=True),
    "salsodica": SaltWord("[Na]", metal=True),
    "saldesodio": SaltWord("[Na]", metal=True),
    "sodium": SaltWord("[Na]", metal=True),
    "sodico": SaltWord("[Na]", metal=True),
    "sodica": SaltWord("[Na]", metal=True),
    "potassiumsalt": SaltWord("[K]", metal=True),
    "salpotasica": SaltWord("[K]", metal=True),
    "potassium": SaltWord("[K]", metal=True),
    "desodio": SaltWord("[Na]", metal=True),
    "sodio": SaltWord("[Na]", metal=True),
    "depotasio": SaltWord("[K]", metal=True),
    "potasio": SaltWord("[K]", metal=True),
    "potasico": SaltWord("[K]", metal=True),
    "calciumsalt": SaltWord("[Ca]", 1, 2, metal=True),
    "calcium": SaltWord("[Ca]", 1, 2, metal=True),
    "ammoniumsalt": SaltWord("N"),
    "ammonium": SaltWord("N"),
    "hydrate": SaltWord("O"),
    "h2o": SaltWord("O"),
    "monohydrate": SaltWord("O"),
    "hidrato": SaltWord("O"),
    "monohidrato": SaltWord("O"),
    "hemihydrate": SaltWord("O", 1, 2),
    "dihydrate": SaltWord("O", 2),
    "dihidrato": SaltWord("O", 2),
    "trihydrate": SaltWord("O", 3),
    "trihidrato": SaltWord("O", 3),
    "tetrahydrate": SaltWord("O", 4),
    "pentahydrate": SaltWord("O", 5),
    "hexahydrate": SaltWord("O", 6),
    # Spanish writes the hydrate as an adjective: "hipofosfito de sodio monohidratado"
    "monohidratado": SaltWord("O"),
    "monohidratada": SaltWord("O"),
    "hemihidratado": SaltWord("O", 1, 2),
    "hemihidratada": SaltWord("O", 1, 2),
    "dihidratado": SaltWord("O", 2),
    "dihidratada": SaltWord("O", 2),
    "trihidratado": SaltWord("O", 3),
    "trihidratada": SaltWord("O", 3),
    "pentahidratado": SaltWord("O", 5),
    "pentahidratada": SaltWord("O", 5),
    "hexahidratado": SaltWord("O", 6),
    "hexahidratada": SaltWord("O", 6),
    "heptahydrate": SaltWord("O", 7),
    "heptahidratado": SaltWord("O", 7),
    "heptahidratada": SaltWord("O", 7),
    "decahydrate": SaltWord("O", 10),
    "decahidratado": SaltWord("O", 10),
    "decahidratada": SaltWord("O", 10),
    "salt": SaltWord(""),
    "sal": SaltWord(""),
}

# Spanish names put the salt first: "clorhidrato de efedrina", "sulfato de pseudoefedrina".
_CONNECTORS = ("de", "of")
_TOKEN = re.compile(r"[\s,;/()\[\].·•]+")
_STEREO_PREFIX = re.compile(
    r"^(?:\((?:[+\-±]|[0-9]*[rs](?:,\s*[0-9]*[rs])*|[dl]|dl|rac|rs|sr|r\*,s\*|r\*,r\*)\)"
    r"|(?:dl|d|l|rac|racemic|meso|cis|trans|e|z)(?=[\s\-])|[+±])[\s\-]*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NameParts:
    """A name split into the chemical and the salt / hydrate words around it."""

    base: str
    salts: tuple[SaltWord, ...]
    words: tuple[str, ...]


def split_salt_words(name: str) -> NameParts | None:
    """Split salt and hydrate words off a name (English suffixes, Spanish prefixes), or None if none.

    >>> split_salt_words("Pseudoephedrine HCl").base
    'Pseudoephedrine'
    >>> split_salt_words("clorhidrato de efedrina").words
    ('clorhidrato',)
    >>> split_salt_words("4-AP dihydrochloride").base
    '4-AP'
    >>> split_salt_words("phenylacetic acid, sodium salt").words
    ('sodium', 'salt')
    >>> split_salt_words("ethyl acetate") is None
    False
    """
    tokens = [t for t in _TOKEN.split(name.strip()) if t]
    # "sodium salt" and "sal sódica" are two words: match the longest key first.
    salts: list[SaltWord] = []
    words: list[str] = []
    # trailing words
    while len(tokens) > 1:
        k2 = name_key(" ".join(tokens[-2:])) if len(tokens) > 2 else ""
        k1 = name_key(tokens[-1])
        if k2 in SALT_WORDS and k2 not in ("saldesodio",):
            salts.insert(0, SALT_WORDS[k2])
            words[:0] = tokens[-2:]
            tokens = tokens[:-2]
        elif k1 in SALT_WORDS:
            salts.insert(0, SALT_WORDS[k1])
            words.insert(0, tokens[-1])
            tokens = tokens[:-1]
        else:
            break
    # leading words ("clorhidrato de efedrina", "sodium phenylacetate")
    while len(tokens) > 1:
        k1 = name_key(tokens[0])
        if k1 in SALT_WORDS:
            salts.append(SALT_WORDS[k1])
            words.append(tokens[0])
            tokens = tokens[1:]
            if len(tokens) > 1 and tokens[0].lower() in _CONNECTORS:
                tokens = tokens[1:]
        else:
            break
    if not salts:
        return None
    return NameParts(" ".join(tokens), tuple(salts), tuple(words))


def split_hydrate_words(name: str) -> tuple[str, tuple[SaltWord, ...], str] | None:
    """Split hydrate words off the end of a name: (the rest as written, the hydrate words, those words as
    written), or None when the name does not end in one.

    >>> rest, waters, words = split_hydrate_words("Fenilacetato de sodio monohidratado")
    >>> rest, len(waters), words
    ('Fenilacetato de sodio', 1, 'monohidratado')
    >>> split_hydrate_words("sodium hypophosphite") is None
    True
    """
    text = name.strip()
    tokens = [t for t in _TOKEN.split(text) if t]
    waters: list[SaltWord] = []
    while (
        len(tokens) > 1
        and (w := SALT_WORDS.get(name_key(tokens[-1]))) is not None
        and w.counter_smiles == "O"
    ):
        waters.insert(0, w)
        tokens.pop()
    if not waters:
        return None
    end = text.lower().rfind(tokens[-1].lower(), 0, len(text) - len(waters)) + len(tokens[-1])
    return text[:end].rstrip(" ,;"), tuple(waters), text[end:].strip(" ,;")


def strip_stereo_prefix(name: str) -> str:
    """Drop a leading stereo descriptor such as "(+)-", "(1S,2S)-", "D-", "rac-".

    >>> strip_stereo_prefix("(+)-Pseudoephedrine")
    'Pseudoephedrine'
    >>> strip_stereo_prefix("(1S,2S)-pseudoephedrine")
    'pseudoephedrine'
    """
    stripped = _STEREO_PREFIX.sub("", name.strip(), count=1)
    return stripped if stripped else name


# Spanish ester names, as written on Mexican and Central American documents, turned into the English
# name the dictionary knows: "fenilacetato de etilo" and "éster etílico del ácido fenilacético" are
# ethyl phenylacetate. Only the alkyl groups below are read, and the acid stem only changes by the
# spellings below (f -> ph and the like are not guessed): a stem that does not become a real English
# name resolves to nothing, so the rule can make a name unresolved but never another chemical.
_ES_ALKYL = {
    "metil": "methyl",
    "etil": "ethyl",
    "propil": "propyl",
    "isopropil": "isopropyl",
    "butil": "butyl",
    "isobutil": "isobutyl",
    "tercbutil": "tert-butyl",
    "pentil": "pentyl",
    "amil": "amyl",
    "isoamil": "isoamyl",
    "hexil": "hexyl",
    "octil": "octyl",
    "bencil": "benzyl",
    "fenil": "phenyl",
    "alil": "allyl",
    "vinil": "vinyl",
    "dimetil": "dimethyl",
    "dietil": "diethyl",
}
_ES_STEM = {
    "alfa": "alpha",
    "acetil": "acetyl",
    "fenil": "phenyl",
    "antranil": "anthranil",
    "glicid": "glycid",
    "salicil": "salicyl",
    "cinam": "cinnam",
    "ftal": "phthal",
    "butir": "butyr",
    "metil": "methyl",
    "etil": "ethyl",
    "propil": "propyl",
    "butil": "butyl",
    "bencil": "benzyl",
}
_ES_STEM_WORD = re.compile("|".join(sorted(_ES_STEM, key=len, reverse=True)))
_ES_ATO = re.compile(r"^([a-z0-9,\-]+?)ato\s+de\s+([a-z\-]+?)o$")
_ES_ESTER = re.compile(r"^ester\s+([a-z\-]+?)ico\s+del?\s+acido\s+([a-z0-9,\-]+?)ico$")


_EN_ESTER_OF = re.compile(r"^([a-z\-]+)\s+ester\s+of\s+(.+\s+acid)$")


def ester_of_acid_name(name: str) -> str | None:
    """ "<alkyl> ester of <acid> acid" in the word order the dictionaries use ("<acid> acid <alkyl> ester"),
    or None when the name is not of that form.

    >>> ester_of_acid_name("Ethyl ester of phenylacetic acid")
    'phenylacetic acid ethyl ester'
    >>> ester_of_acid_name("ethyl phenylacetate") is None
    True
    """
    m = _EN_ESTER_OF.match(_plain(name))
    return None if m is None else f"{m.group(2)} {m.group(1)} ester"


def _plain(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.strip().lower())
    return " ".join("".join(ch for ch in text if not unicodedata.combining(ch)).split())


def spanish_ester_name(name: str) -> str | None:
    """The English name of a Spanish ester name ("<acid>ato de <alkyl>o", "éster <alkyl>ico del ácido
    <acid>ico"), or None when the name is not one of those forms or the alkyl group is not known.

    >>> spanish_ester_name("fenilacetato de etilo")
    'ethyl phenylacetate'
    >>> spanish_ester_name("Éster etílico del ácido fenilacético")
    'ethyl phenylacetate'
    >>> spanish_ester_name("antranilato de metilo")
    'methyl anthranilate'
    >>> spanish_ester_name("alfa-fenilacetoacetato de etilo")
    'ethyl alpha-phenylacetoacetate'
    >>> spanish_ester_name("fenilacetato de sodio") is None  # a salt, not an ester
    True
    """
    text = _plain(name)
    m = _ES_ATO.match(text)
    if m is None:
        m2 = _ES_ESTER.match(text)
        if m2 is None:
            return None
        alkyl, stem = m2.group(1), m2.group(2)
    else:
        stem, alkyl = m.group(1), m.group(2)
    english_alkyl = _ES_ALKYL.get(alkyl.replace("-", ""))
    if english_alkyl is None:
        return None
    english_stem = _ES_STEM_WORD.sub(lambda w: _ES_STEM[w.group(0)], stem)
    return f"{english_alkyl} {english_stem}ate"
