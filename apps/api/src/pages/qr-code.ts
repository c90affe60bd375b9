import QRCode from 'qrcode';

/** The otpauth:// URI as a QR code: an SVG drawn here, in a data: URI (nothing fetched from elsewhere). */
export async function qrCodeDataUri(uri: string): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}
