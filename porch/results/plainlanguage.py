"""What common tests measure, in plain words, in English and Spanish, keyed by LOINC code.

Curated by hand for the tests most frequent in Synthea data (see
/work/shared/data/terminology/observed_codes_in_staged_synthea.csv); codes for the same
test measured another way (serum and blood glucose) share a line. Kept here rather than in
the translation catalogue because each line is content, written per language.
"""

from __future__ import annotations

from django.utils.translation import get_language

_GLUCOSE = (
    "The amount of sugar in your blood. Your body uses it for energy.",
    "La cantidad de azúcar en la sangre. El cuerpo la usa como energía.",
)
_CREATININE = (
    "A waste product your kidneys remove from the blood. It shows how well they work.",
    "Un desecho que los riñones eliminan de la sangre. Muestra qué tan bien funcionan.",
)
_BUN = (
    "Urea nitrogen, a waste product removed by the kidneys.",
    "Nitrógeno ureico, un desecho que eliminan los riñones.",
)
_SODIUM = (
    "A salt that keeps the balance of water in your body.",
    "Una sal que mantiene el equilibrio del agua en el cuerpo.",
)
_POTASSIUM = (
    "A mineral your heart and muscles need to work well.",
    "Un mineral que el corazón y los músculos necesitan para funcionar bien.",
)
_CALCIUM = (
    "A mineral for strong bones, and for nerves and muscles.",
    "Un mineral para huesos fuertes, y para los nervios y los músculos.",
)
_CHLORIDE = (
    "A salt that helps keep fluids and acids in balance.",
    "Una sal que ayuda a mantener el equilibrio de líquidos y ácidos.",
)
_CO2 = (
    "Bicarbonate, which shows the balance of acids in your blood.",
    "Bicarbonato, que muestra el equilibrio de ácidos en la sangre.",
)

PLAIN: dict[str, tuple[str, str]] = {
    "2345-7": _GLUCOSE,
    "2339-0": _GLUCOSE,
    "4548-4": (
        "Your average blood sugar over the last 2 to 3 months.",
        "Su nivel promedio de azúcar en la sangre de los últimos 2 a 3 meses.",
    ),
    "2160-0": _CREATININE,
    "38483-4": _CREATININE,
    "6299-2": _BUN,
    "3094-0": _BUN,
    "2951-2": _SODIUM,
    "2947-0": _SODIUM,
    "2823-3": _POTASSIUM,
    "6298-4": _POTASSIUM,
    "17861-6": _CALCIUM,
    "49765-1": _CALCIUM,
    "2075-0": _CHLORIDE,
    "2069-3": _CHLORIDE,
    "2028-9": _CO2,
    "20565-8": _CO2,
    "2093-3": (
        "The total amount of cholesterol, a kind of fat, in your blood.",
        "La cantidad total de colesterol, un tipo de grasa, en la sangre.",
    ),
    "2085-9": (
        "HDL, the “good” cholesterol that helps clear fat from your blood vessels.",
        "HDL, el colesterol “bueno” que ayuda a limpiar la grasa de los vasos sanguíneos.",
    ),
    "18262-6": (
        "LDL, the “bad” cholesterol that can build up in your blood vessels.",
        "LDL, el colesterol “malo” que puede acumularse en los vasos sanguíneos.",
    ),
    "2571-8": (
        "Triglycerides, a kind of fat in your blood that comes from food.",
        "Triglicéridos, un tipo de grasa en la sangre que viene de los alimentos.",
    ),
    "718-7": (
        "Hemoglobin, the part of red blood cells that carries oxygen.",
        "Hemoglobina, la parte de los glóbulos rojos que lleva el oxígeno.",
    ),
    "4544-3": (
        "The share of your blood made of red blood cells.",
        "La parte de la sangre formada por glóbulos rojos.",
    ),
    "789-8": (
        "The number of red blood cells, which carry oxygen.",
        "La cantidad de glóbulos rojos, que llevan el oxígeno.",
    ),
    "6690-2": (
        "The number of white blood cells, which fight infection.",
        "La cantidad de glóbulos blancos, que combaten las infecciones.",
    ),
    "777-3": (
        "The number of platelets, which help your blood clot.",
        "La cantidad de plaquetas, que ayudan a coagular la sangre.",
    ),
    "33914-3": (
        "eGFR, an estimate of how well your kidneys filter your blood.",
        "TFGe, un cálculo de qué tan bien los riñones filtran la sangre.",
    ),
    "1742-6": (
        "ALT, a liver enzyme. High levels can mean the liver is irritated.",
        "ALT, una enzima del hígado. Niveles altos pueden indicar que el hígado está irritado.",
    ),
    "1920-8": (
        "AST, an enzyme from the liver and muscles.",
        "AST, una enzima del hígado y los músculos.",
    ),
    "6768-6": (
        "Alkaline phosphatase, an enzyme from the liver and bones.",
        "Fosfatasa alcalina, una enzima del hígado y los huesos.",
    ),
    "1975-2": (
        "Bilirubin, a yellow substance the liver clears from the blood.",
        "Bilirrubina, una sustancia amarilla que el hígado elimina de la sangre.",
    ),
    "1751-7": (
        "Albumin, a protein made by the liver.",
        "Albúmina, una proteína que produce el hígado.",
    ),
    "2885-2": (
        "The total amount of protein in your blood.",
        "La cantidad total de proteínas en la sangre.",
    ),
    "3016-3": (
        "TSH, a hormone that shows how well your thyroid works.",
        "TSH, una hormona que muestra qué tan bien funciona la tiroides.",
    ),
    "14959-1": (
        "Protein in the urine compared with creatinine: an early sign of kidney damage.",
        "Proteína en la orina comparada con la creatinina: una señal temprana de daño renal.",
    ),
}


def what_it_measures(loinc_code: str, language: str | None = None) -> str:
    """The plain-language line for a LOINC code in the language (active one by default),
    or "" for a test the table does not know."""
    lines = PLAIN.get(loinc_code)
    if lines is None:
        return ""
    language = language or get_language() or "en"
    return lines[1] if language.startswith("es") else lines[0]
