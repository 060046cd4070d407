using System;

namespace OpenAI.Images.FakeApi;

/// <summary>Settings for <see cref="FakeOpenAIServer.StartAsync"/>.</summary>
public sealed class FakeServerOptions
{
    /// <summary>Port on 127.0.0.1; 0 (the default) lets the OS pick a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// When set, API requests must carry <c>Authorization: Bearer {key}</c> or <c>api-key: {key}</c>;
    /// otherwise 401 with OpenAI's error body (before any queued reply is used). Downloads never need it.
    /// </summary>
    public string? ExpectedApiKey { get; set; }

    /// <summary>How many <c>GET /batches/{id}</c> calls a batch takes to reach its final status (default 3: in_progress, finalizing, completed).</summary>
    public int BatchPollsUntilDone { get; set; } = 3;

    /// <summary>The status a batch ends in: <c>completed</c> (default), <c>failed</c> or <c>expired</c>.</summary>
    public string BatchFinalStatus { get; set; } = "completed";

    /// <summary>How long shutdown waits for requests still running before their connections are cut (default 1 s).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(1);
}
