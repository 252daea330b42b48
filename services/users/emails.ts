import { Errors } from "moleculer";

/*
 * One mailbox, one account. Emails are compared in a canonical form: NFKC (fullwidth letters
 * become ASCII), invisible characters dropped (zero-width spaces, joiners, BOMs, soft hyphens),
 * lower-cased. What is left must be plain ASCII: a combining mark or a letter of another script
 * (Cyrillic "а" for Latin "a") would make a lookalike of someone else's address, and telling
 * lookalikes apart needs more than normalisation can do, so they are refused.
 */

const INVISIBLE = /[\p{Default_Ignorable_Code_Point}\p{Cf}]/gu;
const PLAIN = /^[\x21-\x7e]+$/;

/** The canonical email, or null when it still holds anything but printable ASCII. */
export function canonicalEmail(email: string): string | null {
	const folded = email.normalize("NFKC").replace(INVISIBLE, "").normalize("NFKC").trim().toLowerCase();
	return PLAIN.test(folded) ? folded : null;
}

/** The canonical email of a registration, or a 422 naming the field. */
export function registrableEmail(email: string): string {
	const canonical = canonicalEmail(email);
	if (canonical) return canonical;
	throw new Errors.ValidationError("The email holds characters that make it look like another address", "VALIDATION_ERROR", [
		{ field: "email", type: "emailLookalike", message: "The 'email' field must be plain ASCII once normalised: combining marks and letters of other scripts are refused." }
	]);
}
