import type { DocRecord, DocType } from './model';

/**
 * When a port call's documents make a complete declaration: the general declaration (FAL 1),
 * cargo (FAL 2) and crew list (FAL 5) always; the passenger list (FAL 6) when passengers are on
 * board; the dangerous goods manifest (FAL 7) when the general declaration or any cargo item
 * declares dangerous goods. The lists must agree with the general declaration's counts.
 */
export interface DeclarationCheck {
  complete: boolean;
  missing: DocType[];
  /** Human-readable disagreements, e.g. 'FAL5.crewCount 11 != FAL1.crewCount 12'. */
  mismatches: string[];
}

type Docs = Partial<Record<string, Pick<DocRecord, 'summary'>>>;

export function requiredDocuments(docs: Docs): DocType[] {
  const required: DocType[] = ['FAL1', 'FAL2', 'FAL5'];
  const general = docs.FAL1?.summary;
  const cargo = docs.FAL2?.summary;
  if (general && Number(general.passengerCount) > 0) required.push('FAL6');
  if ((general && general.dangerousGoodsOnBoard === true) || (cargo && Number(cargo.dangerousItems) > 0))
    required.push('FAL7');
  return required;
}

export function checkDeclaration(docs: Docs): DeclarationCheck {
  const missing = requiredDocuments(docs).filter((t) => !docs[t]);
  const mismatches: string[] = [];
  const general = docs.FAL1?.summary;
  if (general) {
    const agree = (type: DocType, field: string) => {
      const summary = docs[type]?.summary;
      if (summary && summary[field] !== general[field]) {
        mismatches.push(
          `${type}.${field} ${String(summary[field])} != FAL1.${field} ${String(general[field])}`,
        );
      }
    };
    agree('FAL5', 'crewCount');
    agree('FAL6', 'passengerCount');
  }
  return { complete: missing.length === 0 && mismatches.length === 0, missing, mismatches };
}
