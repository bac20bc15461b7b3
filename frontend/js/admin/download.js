/**
 * Saving a fetched file: the Response's body becomes a Blob, offered for download
 * under the name its `Content-Disposition` gives (or `fallback`).
 */

/** The filename of a `Content-Disposition: attachment; filename="..."` header, or null. */
export function dispositionFilename(header) {
  if (typeof header !== 'string') return null;
  const encoded = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (encoded) {
    try {
      return safeName(decodeURIComponent(encoded[1].trim()));
    } catch {
      // A malformed encoding: try the plain filename.
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(header);
  return plain ? safeName(plain[1] ?? plain[2]) : null;
}

/** Offer `response`'s body as a file; resolves to the name it was saved under. */
export async function saveResponse(response, fallback) {
  const name = dispositionFilename(response.headers.get('Content-Disposition')) ?? fallback;
  const url = URL.createObjectURL(await response.blob());
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL can go once this turn is over.
  setTimeout(() => URL.revokeObjectURL(url));
  return name;
}

/** A name with no path in it. */
function safeName(name) {
  const base = name.split(/[/\\]/).pop().trim();
  return base === '' ? null : base;
}
