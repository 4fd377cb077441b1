/* Voice commands: hands the microphone's samples (already at the AudioContext's 16 kHz) to the
   page, which keeps the utterance and sends it to this server only. */
class PcmCapture extends AudioWorkletProcessor {
  process(inputs) {
    const channel = inputs[0] && inputs[0][0];
    if (channel) { this.port.postMessage(channel.slice(0)); }
    return true;
  }
}
registerProcessor("pcm-capture", PcmCapture);
