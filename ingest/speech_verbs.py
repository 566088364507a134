"""The verbs that introduce reported speech, English and French ("told", "says", "raconte", "selon"): what
marks a quotation as someone's words and leads to its speaker (ingest/quote_attribution.py, ingest/quotes.py).
"""

from __future__ import annotations

import re

EN_VERBS = (
    "told|tells|tell|said|says|say|saying|added|adds|adding|explained|explains|explaining|stated|states|"
    "stating|recounted|recounts|recalled|recalls|recalling|described|describes|describing|claimed|claims|"
    "claiming|reported|reports|testified|testifies|declared|declares|noted|notes|noting|asked|asks|"
    "answered|answers|replied|replies|insisted|insists|complained|complains|commented|comments|"
    "remembered|remembers|went on|warned|warns|argued|argues|believes|believed|"
    "thinks|thought|feels|felt|wrote|writes|shouted|shouts|whispered|admitted|admits|confirmed|confirms|"
    "concluded|concludes|observed|observes|pointed out|points out|is convinced|"
    "was convinced|spoke|speaks|put it|heard from|according to|in the words of"
)

FR_VERBS = (
    "raconte|racontent|raconté|dit|disent|explique|expliquent|expliqué|confie|confient|confié|affirme|"
    "affirment|affirmé|précise|précisent|précisé|ajoute|ajoutent|ajouté|poursuit|poursuivent|témoigne|"
    "témoignent|témoigné|rapporte|rapportent|rapporté|souligne|soulignent|déclare|déclarent|déclaré|"
    "assure|assurent|assuré|estime|estiment|déplore|déplorent|dénonce|dénoncent|regrette|regrettent|"
    "résume|confirme|confirment|confirmé|note|lance|lancent|lancé|interroge|répète|répété|reconnaît|"
    "reconnait|insiste|s’indigne|s'indigne|s’exclame|s'exclame|martèle|soupire|glisse|observe|constate|"
    "constatent|indique|indiquent|indiqué|rappelle|rappellent|relate|murmure|sourit|réagit|demande|"
    "demandent|demandé|répond|répondent|répondu|crie|crient|ordonne|ordonnent|tranche|commente|avance|"
    "admet|avoue|conclut|continue|lâche|fait savoir|s’inquiète|s'inquiète|se souvient|ironise|proteste|"
    "prévient|juge|considère|pense|croit|veut croire|selon|d’après|d'après|décrit|évoque|insistent|écrit|"
    "écrivent|justifie|se justifie|nuance|détaille|raconté|poursuivi"
)

SPEECH_VERBS = f"{EN_VERBS}|{FR_VERBS}"

SPEECH_VERB = re.compile(rf"(?<![\w-])(?:{SPEECH_VERBS})(?![\w’'])", re.I)
