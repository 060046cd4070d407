using System;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Threading;
using OpenAI.Images;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows images in the terminal: Sixel, kitty graphics, iTerm2 inline images or colour blocks.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Show, "OpenAIImage", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(ImageResult), typeof(FileInfo))]
    public sealed class ShowOpenAIImageCommand : PSCmdlet, IDisposable
    {
        /// <summary>The most cells wide an image is drawn when -Width is not given.</summary>
        public const int DefaultMaxWidth = 60;

        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string InputObjectSet = "InputObject";

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly Random _ids = new Random();
        private TerminalSurface? _surface;
        private TerminalDecision? _decision;
        private bool _warned;
        private Shown? _partial;

        /// <summary>The images to show (from New-OpenAIImage, Edit-OpenAIImage, New-OpenAIImageVariation or Receive-OpenAIImageBatch).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public ImageResult[] InputObject { get; set; } = new ImageResult[0];

        /// <summary>Image files to show (wildcards allowed).</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>Image files to show, taken literally.</summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP", "FullName")]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>How many character cells wide to draw (default: the window's width, at most 60).</summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int Width { get; set; }

        /// <summary>The graphics protocol: Auto (chosen from the terminal), Sixel, Kitty, ITerm or Blocks.</summary>
        [Parameter]
        public TerminalGraphicsProtocol Protocol { get; set; } = TerminalGraphicsProtocol.Auto;

        /// <summary>Write each input on to the pipeline (an image result as it came, a file as its FileInfo).</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                foreach (ImageResult result in InputObject)
                {
                    if (result is null)
                    {
                        continue;
                    }

                    ShowResult(result);
                    if (PassThru)
                    {
                        WriteObject(result);
                    }
                }

                return;
            }

            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string file in ProviderItems.ResolveFiles(this, literal ? LiteralPath : Path, literal))
            {
                if (CanDraw())
                {
                    Draw(() => File.OpenRead(file), file, file, null);
                }

                if (PassThru)
                {
                    WriteObject(ProviderItems.GetFile(this, file));
                }
            }
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _cancel.Cancel();

        /// <inheritdoc />
        public void Dispose() => _cancel.Dispose();

        private void ShowResult(ImageResult result)
        {
            if (!CanDraw())
            {
                return;
            }

            string name = result.File?.FullName ?? (result.IsPartial
                ? string.Format(CultureInfo.InvariantCulture, "partial image {0} of image {1}", result.PartialImageIndex, result.Index)
                : string.Format(CultureInfo.InvariantCulture, "image {0}", result.Index));
            if (result.Data != null)
            {
                byte[] data = result.Data;
                Draw(() => new MemoryStream(data, writable: false), name, result, result);
                return;
            }

            if (result.File != null && File.Exists(result.File.FullName))
            {
                string file = result.File.FullName;
                Draw(() => File.OpenRead(file), name, result, result);
                return;
            }

            string what = result.File != null
                ? $"The image file '{result.File.FullName}' no longer exists"
                : "This image has no data or file to show";
            string url = result.Url != null ? " It is only at its URL: save it with Save-OpenAIImage first, then show the file." : string.Empty;
            WriteError(new ErrorRecord(
                new FileNotFoundException(what + "." + url, result.File?.FullName),
                "OpenAI.NoImageData",
                ErrorCategory.ObjectNotFound,
                result));
        }

        /// <summary>Decides once per call whether (and how) to draw; the first time it cannot, warns once.</summary>
        private bool CanDraw()
        {
            if (_decision == null)
            {
                _surface = TerminalSurface.For(this);
                _decision = TerminalDetector.Decide(_surface.Facts, Protocol, _surface.Query);
                if (_decision.CanDraw)
                {
                    this.WriteVerboseLine(string.Format(
                        CultureInfo.InvariantCulture,
                        "Drawing with {0}; cells of {1}x{2} pixels; {3}.",
                        _decision.Protocol,
                        _decision.CellWidth,
                        _decision.CellHeight,
                        DescribeBackground(_decision)));
                }
            }

            if (!_decision.CanDraw && !_warned)
            {
                _warned = true;
                WriteWarning($"Show-OpenAIImage draws nothing: {_decision.CannotDraw}. Open the image with Invoke-Item instead (save it first with Save-OpenAIImage when it is only in memory).");
            }

            return _decision.CanDraw;
        }

        private static string DescribeBackground(TerminalDecision decision)
        {
            if (decision.TerminalComposites)
            {
                return "transparency is left to the terminal";
            }

            return decision.ReportedBackground is TerminalColor reported
                ? "transparent pixels onto " + reported + ", the background the terminal reported"
                : "transparent pixels onto black (#000000): the terminal did not report its background";
        }

        private void Draw(Func<Stream> open, string name, object target, ImageResult? result)
        {
            TerminalDecision decision = _decision!;
            bool replace = _partial != null && !PassThru && result != null && result.Index == _partial.Index;
            int? kittyId = null;
            if (result != null && (result.IsPartial || replace))
            {
                kittyId = replace ? _partial!.KittyId : _ids.Next(1, int.MaxValue);
            }

            var options = new TerminalImageOptions
            {
                CellWidth = decision.CellWidth,
                CellHeight = decision.CellHeight,
                Background = decision.Background,
                KittyImageId = kittyId,
                Name = name,
            };
            SizeToWindow(options);

            TerminalImage image;
            try
            {
                using (Stream stream = open())
                {
                    image = TerminalImageRenderer.Render(stream, decision.Protocol, options, _cancel.Token);
                }
            }
            catch (TerminalImageException ex)
            {
                WriteError(NotDrawable(ex, target));
                return;
            }
            catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, ex is UnauthorizedAccessException ? "OpenAI.FileAccessDenied" : "OpenAI.FileReadError", ErrorCategory.ReadError, target));
                return;
            }

            // Over a partial image of the same result: back to its first line, clear from there down, draw.
            string prefix = replace ? string.Format(CultureInfo.InvariantCulture, "\r\u001b[{0}A\u001b[J", _partial!.Rows) : string.Empty;
            _surface!.Write(prefix + image.Text);
            _partial = result != null && result.IsPartial ? new Shown(result.Index, image.Rows, kittyId ?? 0) : null;
        }

        private void SizeToWindow(TerminalImageOptions options)
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(Width)))
            {
                options.Columns = Width;
                return;
            }

            options.Columns = DefaultMaxWidth;
            if (_surface!.TryGetWindowSize(out int columns, out int rows))
            {
                // One column spare (a terminal wraps at the last column), and the prompt's line below the image.
                options.Columns = Math.Max(1, Math.Min(DefaultMaxWidth, columns - 1));
                options.MaxRows = Math.Max(1, rows - 2);
            }
        }

        private static ErrorRecord NotDrawable(TerminalImageException ex, object target)
        {
            ErrorCategory category = ex.Reason == TerminalImageError.NeedsPng ? ErrorCategory.InvalidArgument : ErrorCategory.InvalidData;
            string action = ex.Reason == TerminalImageError.NeedsPng
                ? "In iTerm2 or WezTerm, -Protocol ITerm draws JPEG and WebP as they are."
                : "Check that the file is a whole, valid image, or open it with Invoke-Item.";
            return new ErrorRecord(ex, "OpenAI.ImageNotDrawable." + ex.Reason, category, target)
            {
                ErrorDetails = new ErrorDetails(ex.Message) { RecommendedAction = action },
            };
        }

        /// <summary>The partial image last drawn: what the next image of the same result draws over.</summary>
        private sealed class Shown
        {
            public Shown(int index, int rows, int kittyId)
            {
                Index = index;
                Rows = rows;
                KittyId = kittyId;
            }

            public int Index { get; }

            public int Rows { get; }

            public int KittyId { get; }
        }
    }
}
