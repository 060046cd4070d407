using System;

namespace OpenAI.Images
{
    /// <summary>Where the client reports what it does. Messages never contain the API key or image data.</summary>
    public sealed class ClientDiagnostics
    {
        /// <summary>Receives retry notices and other progress worth a -Verbose line.</summary>
        public Action<string>? Verbose { get; set; }

        /// <summary>Receives HTTP traces (method, URL, headers with the key masked, body summaries).</summary>
        public Action<string>? Debug { get; set; }

        /// <summary>Receives upload progress: bytes of file content sent so far and the total.</summary>
        public Action<long, long>? UploadProgress { get; set; }

        /// <summary>Receives the start of each attempt (1 for the first) as its request is about to be sent.</summary>
        public Action<int>? AttemptStarting { get; set; }

        /// <summary>Receives how long the client waits before the next attempt after a failed one.</summary>
        public Action<TimeSpan>? Retrying { get; set; }

        /// <summary>Receives how long an attempt waits for the batch's <see cref="SharedPause"/> before it may start.</summary>
        public Action<TimeSpan>? Paused { get; set; }

        internal void WriteVerbose(string message) => Verbose?.Invoke(message);

        internal void WriteDebug(string message) => Debug?.Invoke(message);

        internal bool DebugEnabled => Debug != null;
    }
}
