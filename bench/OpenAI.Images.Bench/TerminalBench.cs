using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using OpenAI.Images.Core.Tests.Terminal;
using OpenAI.Images.Imaging;
using OpenAI.Images.Terminal;

/// <summary>
/// `terminal`: renders a 1024x1024 photo-like PNG (RGB and RGBA, plain and Adam7) at 60 cells with each protocol, the
/// way Show-OpenAIImage does, and reports the median time and the bytes allocated per render (the decoded source would
/// be 4 MB as RGBA: the renderer must stay far below that plus the file).
/// </summary>
internal static class TerminalBench
{
    public static int Run(int runs)
    {
        Console.WriteLine($"runs: {runs}; .NET {Environment.Version}; {Environment.ProcessorCount} cores");
        byte[] rgb = TestPng.PhotoLike(1024, 1024, 7);
        byte[] png = TestPng.FromRgb(rgb, 1024, 1024);
        byte[] rgba = TestPng.Encode(1024, 1024, 6, 8, false, (x, y, c) => c < 3 ? rgb[(((y * 1024) + x) * 3) + c] : (x + y) % 256, idatChunkSize: 8192);
        byte[] adam7 = TestPng.Encode(1024, 1024, 2, 8, true, (x, y, c) => rgb[(((y * 1024) + x) * 3) + c], idatChunkSize: 8192);
        Console.WriteLine($"input: 1024x1024 RGB PNG {png.Length / 1024} KB; RGBA {rgba.Length / 1024} KB; Adam7 RGB {adam7.Length / 1024} KB");
        var options = new TerminalImageOptions { Columns = 60 };
        var rows = new List<string>
        {
            Measure("Sixel, RGB PNG -> 600x600", runs, png, TerminalGraphicsProtocol.Sixel, options),
            Measure("Sixel, RGBA PNG -> 600x600", runs, rgba, TerminalGraphicsProtocol.Sixel, options),
            Measure("Sixel, Adam7 RGB PNG -> 600x600", runs, adam7, TerminalGraphicsProtocol.Sixel, options),
            Measure("Blocks, RGB PNG -> 60x60 (30 rows)", runs, png, TerminalGraphicsProtocol.Blocks, options),
            Measure("kitty, RGB PNG (checked, sent as is)", runs, png, TerminalGraphicsProtocol.Kitty, options),
        };
        Console.WriteLine();
        Console.WriteLine("Stages of the Sixel render (RGB PNG):");
        Console.WriteLine();
        Console.WriteLine("| stage | median ms | min ms | median CPU ms |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        Stages(runs, png, options);
        Console.WriteLine();
        Console.WriteLine("| scenario | median ms | min ms | median CPU ms | allocated MB per op | output KB |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        rows.ForEach(Console.WriteLine);
        return 0;
    }

    private static void Stages(int runs, byte[] png, TerminalImageOptions options)
    {
        var box = TerminalImageRenderer.SixelBox(1024, 1024, options);
        byte[] scaled = TerminalImageRenderer.DecodeScaled(PngDecoder.Open(png, null), box.Width, box.Height, options.Background, default);
        Time("chunks + CRC (Open)", runs, () => PngDecoder.Open(png, null));
        byte[] zlib = IdatData(png);
        Time("inflate only (ZLibStream, 3 MB out)", runs, () =>
        {
            using var z = new System.IO.Compression.ZLibStream(new MemoryStream(zlib, false), System.IO.Compression.CompressionMode.Decompress);
            z.CopyTo(Stream.Null, 1 << 16);
        });
        Time("inflate + unfilter + RGBA rows", runs, () => PngDecoder.Open(png, null).Decode(new NoSink(), default));
        Time("... + area scaling and compositing", runs, () => TerminalImageRenderer.DecodeScaled(PngDecoder.Open(png, null), box.Width, box.Height, options.Background, default));
        Time("median cut (600x600)", runs, () => ColorQuantizer.Quantize(scaled, box.Width * box.Height, 256, out _));
        Time("quantise + Sixel encoding (600x600)", runs, () => SixelEncoder.Encode(scaled, box.Width, box.Height));
    }

    /// <summary>The concatenated IDAT data of a PNG: its zlib stream.</summary>
    private static byte[] IdatData(byte[] png)
    {
        var data = new MemoryStream();
        for (int p = 8; p < png.Length;)
        {
            int length = (png[p] << 24) | (png[p + 1] << 16) | (png[p + 2] << 8) | png[p + 3];
            if (png[p + 4] == 'I' && png[p + 5] == 'D' && png[p + 6] == 'A' && png[p + 7] == 'T')
            {
                data.Write(png, p + 8, length);
            }

            p += 12 + length;
        }

        return data.ToArray();
    }

    private static void Time(string name, int runs, Action op)
    {
        op();
        var times = new List<double>();
        var cpu = new List<double>();
        for (int i = 0; i < runs; i++)
        {
            double cpuBefore = CpuMilliseconds();
            var sw = Stopwatch.StartNew();
            op();
            times.Add(sw.Elapsed.TotalMilliseconds);
            cpu.Add(CpuMilliseconds() - cpuBefore);
        }

        times.Sort();
        cpu.Sort();
        Console.WriteLine($"| {name} | {times[times.Count / 2]:0.0} | {times[0]:0.0} | {cpu[cpu.Count / 2]:0} |");
    }

    /// <summary>
    /// CPU time of this thread (Linux: clock_gettime(CLOCK_THREAD_CPUTIME_ID), nanosecond resolution), else of the
    /// process. Unlike wall time it does not grow when other processes share the cores.
    /// </summary>
    private static double CpuMilliseconds()
    {
        if (OperatingSystem.IsLinux() && ClockGetTime(3, out Timespec t) == 0)
        {
            return (t.Seconds * 1000.0) + (t.Nanoseconds / 1e6);
        }

        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime.TotalMilliseconds;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out Timespec time);

    private struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    private sealed class NoSink : IPixelRowSink
    {
        public void AddRow(int y, byte[] rgba, int xStart, int xStep, int count)
        {
        }
    }

    private static string Measure(string name, int runs, byte[] file, TerminalGraphicsProtocol protocol, TerminalImageOptions options)
    {
        int length = TerminalImageRenderer.Render(new MemoryStream(file, false), protocol, options).Text.Length; // warm-up
        var times = new List<double>();
        var cpu = new List<double>();
        var allocs = new List<long>();
        for (int i = 0; i < runs; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            long before = GC.GetTotalAllocatedBytes(precise: true);
            double cpuBefore = CpuMilliseconds();
            var sw = Stopwatch.StartNew();
            TerminalImageRenderer.Render(new MemoryStream(file, false), protocol, options);
            sw.Stop();
            cpu.Add(CpuMilliseconds() - cpuBefore);
            allocs.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        cpu.Sort();
        allocs.Sort();
        string row = $"| {name} | {times[times.Count / 2]:0.0} | {times[0]:0.0} | {cpu[cpu.Count / 2]:0} | {allocs[allocs.Count / 2] / 1048576.0:0.00} | {length / 1024} |";
        Console.WriteLine(row);
        return row;
    }
}
