using System;
using System.Collections.Generic;
using System.IO;
using System.Threading.Tasks;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Models;

/// <summary>
/// The clean-up of temporary files that a killed save left behind: only the module's own, only older than the
/// threshold, only when no writer holds them; each folder once per call; never an error. Every file's last write time
/// is set to a fixed instant and the sweeper's clock is injected, so no test depends on how fast it runs.
/// </summary>
public sealed class OrphanedTempFilesTests : IDisposable
{
    private static readonly DateTime Written = new(2026, 3, 1, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Age = OrphanedTempFiles.DefaultMinimumAge;
    private static readonly byte[] Png = TestAssets.Bytes("sample-8x8.png");
    private readonly string _dir = Directory.CreateTempSubdirectory("openai-images-orphans-").FullName;
    private readonly List<string> _verbose = new();
    private readonly List<string> _debug = new();

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private OrphanedTempFiles Sweeper(DateTime now) => new(_verbose.Add, _debug.Add, Age, () => now);

    private string TempFile(string? name = null, DateTime? written = null)
    {
        string path = Path.Combine(_dir, name ?? ImageSink.TempPrefix + Guid.NewGuid().ToString("N") + ImageSink.TempSuffix);
        File.WriteAllBytes(path, new byte[] { 1, 2, 3 });
        File.SetLastWriteTimeUtc(path, written ?? Written);
        return path;
    }

    [Fact]
    public void AnUnheldFileAMinuteOld_IsRemoved_AndSaidSo()
    {
        string orphan = TempFile();

        int removed = Sweeper(Written + Age).Sweep(_dir);

        Assert.Equal(1, removed);
        Assert.False(File.Exists(orphan));
        Assert.Equal(new[] { $"Removed 1 temporary file that an interrupted save left in '{_dir}'." }, _verbose);
        Assert.Empty(_debug);
    }

    [Fact]
    public void AFileYoungerThanAMinute_IsKept()
    {
        string young = TempFile();

        Assert.Equal(0, Sweeper(Written + Age - TimeSpan.FromTicks(1)).Sweep(_dir));
        Assert.True(File.Exists(young));
        Assert.Empty(_verbose);

        // Last written after "now" (another machine's clock, or a skewed one): young as well.
        Assert.Equal(0, Sweeper(Written - TimeSpan.FromHours(1)).Sweep(_dir));
        Assert.True(File.Exists(young));
    }

    [Fact]
    public void AFileItsWriterHolds_IsKeptHoweverOld_AndRemovedOnceTheWriterIsGone()
    {
        string held = TempFile();
        var later = Written + TimeSpan.FromDays(1);
        using (new FileStream(held, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            Assert.Equal(0, Sweeper(later).Sweep(_dir));
            Assert.True(File.Exists(held));
            Assert.Contains(_debug, d => d.StartsWith($"Left the temporary file '{held}' alone: ", StringComparison.Ordinal));
        }

        Assert.Equal(1, Sweeper(later).Sweep(_dir));
        Assert.False(File.Exists(held));
    }

    [Fact]
    public async Task ADecodedImageWaitingToBeSaved_IsHeldUntilItIsCommitted()
    {
        var ct = TestContext.Current.CancellationToken;
        var result = new ImageResult();
        using (ImageSink sink = ImageSink.Create(_dir))
        {
            await sink.Stream.WriteAsync(Png, ct);
            await sink.CompleteAsync(result, ct);
        }

        string pending = Assert.Single(Directory.GetFiles(_dir));
        File.SetLastWriteTimeUtc(pending, Written);

        // However long it waits (a -Confirm prompt, a slow pipeline), another call's clean-up leaves it alone.
        Assert.Equal(0, Sweeper(Written + TimeSpan.FromDays(1)).Sweep(_dir));
        Assert.True(File.Exists(pending));

        string final = Path.Combine(_dir, "image.png");
        ImageFiles.Commit(result, final, overwrite: false);
        Assert.Equal(Png, File.ReadAllBytes(final));
        Assert.Equal(new[] { final }, Directory.GetFiles(_dir));
    }

    [Fact]
    public async Task ADecodedImageKeptInMemoryOrDiscarded_LeavesNoFile()
    {
        var ct = TestContext.Current.CancellationToken;
        var kept = new ImageResult();
        var dropped = new ImageResult();
        foreach (ImageResult result in new[] { kept, dropped })
        {
            using ImageSink sink = ImageSink.Create(_dir);
            await sink.Stream.WriteAsync(Png, ct);
            await sink.CompleteAsync(result, ct);
        }

        Assert.Equal(2, Directory.GetFiles(_dir).Length);
        ImageFiles.KeepInMemory(kept);
        ImageFiles.Discard(dropped);

        Assert.Equal(Png, kept.Data);
        Assert.Empty(Directory.GetFiles(_dir));
    }

    [Fact]
    public void FilesThatAreNotTheModulesOwn_AreNeverTouched()
    {
        string hex = Guid.NewGuid().ToString("N");
        var foreign = new List<string>
        {
            TempFile(".openai-images-notes.tmp"),
            TempFile(".openai-images-" + hex.ToUpperInvariant() + ".tmp"),
            TempFile(".openai-images-" + hex + "0.tmp"),
            TempFile(".openai-images-" + hex + ".tmpx"),
            TempFile(".openai-images-" + hex + ".tmp.png"),
            TempFile("openai-images-" + hex + ".tmp"),
            TempFile(".config.json." + hex + ".tmp"),
            TempFile("photo.png"),
        };
        string folderLikeOurs = Path.Combine(_dir, ".openai-images-" + Guid.NewGuid().ToString("N") + ".tmp");
        Directory.CreateDirectory(folderLikeOurs);
        string ours = TempFile();

        Assert.Equal(1, Sweeper(Written + TimeSpan.FromDays(365)).Sweep(_dir));

        Assert.False(File.Exists(ours));
        Assert.All(foreign, f => Assert.True(File.Exists(f), f));
        Assert.True(Directory.Exists(folderLikeOurs));
    }

    [Fact]
    public void TheFilesInSubfolders_AreNotSwept()
    {
        string sub = Directory.CreateDirectory(Path.Combine(_dir, "sub")).FullName;
        string nested = Path.Combine(sub, ImageSink.TempPrefix + Guid.NewGuid().ToString("N") + ImageSink.TempSuffix);
        File.WriteAllBytes(nested, new byte[] { 1 });
        File.SetLastWriteTimeUtc(nested, Written);

        Assert.Equal(0, Sweeper(Written + TimeSpan.FromDays(1)).Sweep(_dir));
        Assert.True(File.Exists(nested));
    }

    [Fact]
    public void SweepOnce_SweepsEachFolderOncePerCall()
    {
        string other = Directory.CreateTempSubdirectory("openai-images-orphans-other-").FullName;
        try
        {
            OrphanedTempFiles call = Sweeper(Written + TimeSpan.FromDays(1));
            TempFile();
            Assert.Equal(1, call.SweepOnce(_dir));

            // A later orphan in the same folder waits for the next call, however the folder is spelled.
            string next = TempFile();
            Assert.Equal(0, call.SweepOnce(_dir));
            Assert.Equal(0, call.SweepOnce(Path.Combine(_dir, "sub", "..")));
            Assert.True(File.Exists(next));

            string there = Path.Combine(other, ImageSink.TempPrefix + Guid.NewGuid().ToString("N") + ImageSink.TempSuffix);
            File.WriteAllBytes(there, new byte[] { 1 });
            File.SetLastWriteTimeUtc(there, Written);
            Assert.Equal(1, call.SweepOnce(other));
            Assert.False(File.Exists(there));

            Assert.Equal(1, Sweeper(Written + TimeSpan.FromDays(1)).SweepOnce(_dir));
            Assert.False(File.Exists(next));
        }
        finally
        {
            Directory.Delete(other, recursive: true);
        }
    }

    [Fact]
    public void AFolderThatCannotBeRead_IsNotAnError()
    {
        string missing = Path.Combine(_dir, "missing");

        Assert.Equal(0, Sweeper(Written).SweepOnce(missing));
        Assert.Equal(0, Sweeper(Written).SweepOnce("bad\0name"));

        Assert.Empty(_verbose);
        Assert.Equal(2, _debug.Count);
        Assert.All(_debug, d => Assert.StartsWith("Did not look for orphaned temporary files in ", d, StringComparison.Ordinal));
    }

    [Fact]
    public void TheRealSweeper_TakesFilesLastWrittenOverAMinuteAgo_ByTheSystemClock()
    {
        string old = TempFile(written: DateTime.UtcNow.AddMinutes(-2));
        string ahead = TempFile(written: DateTime.UtcNow.AddHours(1));
        var sweeper = new OrphanedTempFiles(null, null);

        Assert.Equal(TimeSpan.FromMinutes(1), sweeper.MinimumAge);
        Assert.Equal(1, sweeper.Sweep(_dir));
        Assert.False(File.Exists(old));
        Assert.True(File.Exists(ahead));
    }
}
