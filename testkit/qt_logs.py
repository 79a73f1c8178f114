"""Qt messages that say what the test machine lacks, not what the console did wrong."""

# The first threshold alert loads Qt Multimedia for its sound; a machine without an audio
# device (CI, offscreen) says so, and the sound falls back to the system beep.
AUDIO_WARNINGS: tuple[str, ...] = (
    "Couldn't (load|resolve)",
    "PulseAudioService",
    "QSoundEffect",
    "does not support",
)
