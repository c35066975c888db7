// The fake microphone: espeak-ng speech converted with sox to 16-bit mono 48 kHz, with 1 s of silence before and
// 3 s after (Chromium loops the file, so the caller speaks again every few seconds).

import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export const SPOKEN_TEXT = "Hello, I would like to check my order status";

export function makeSpeechWav(dir, { text = SPOKEN_TEXT, before = 1, after = 3 } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  const raw = path.join(dir, "speech-raw.wav");
  const wav = path.join(dir, "speech.wav");
  execFileSync("espeak-ng", ["-w", raw, text], { stdio: ["ignore", "ignore", "pipe"] });
  execFileSync("sox", [raw, "-b", "16", "-c", "1", wav, "rate", "48000", "pad", String(before), String(after)], { stdio: ["ignore", "ignore", "pipe"] });
  const header = fs.readFileSync(wav).subarray(0, 44);
  if (header.toString("ascii", 0, 4) !== "RIFF" || header.readUInt32LE(24) !== 48000 || header.readUInt16LE(22) !== 1 || header.readUInt16LE(34) !== 16) {
    throw new Error(`${wav} is not 16-bit mono 48 kHz WAV`);
  }
  return wav;
}
