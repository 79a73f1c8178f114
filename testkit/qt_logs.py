"""Qt messages that say what the test machine lacks, not what the console did wrong."""

# The first threshold alert loads Qt Multimedia for its sound; a machine without an audio
# device (CI, offscreen) says so, and the sound falls back to the system beep.
AUDIO_WARNINGS: tuple[str, ...] = (
    "Couldn't (load|resolve)",
    "PulseAudioService",
    "QSoundEffect",
    "does not support",
)

# 视频监控: a machine without a GPU says so once per player; a stream that drops or a camera
# that does not answer is what the reconnect tests make happen on purpose.
VIDEO_WARNINGS: tuple[str, ...] = (
    "No RHI backend",
    "Demuxing failed",
    "Could not open media",
    "Couldn't (load|resolve) pipewire",
    "does not support propagateSizeHints",  # the offscreen platform, on a full-screen window
)
