using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using OpenAI.Images;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Saves images returned by the other cmdlets to files, decoding in-memory images or downloading URL results.</para>
    /// </summary>
    [Cmdlet(VerbsData.Save, "OpenAIImage", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveOpenAIImageCommand : OpenAIAsyncCmdlet
    {
        private const string PathSet = "Path";
        private const string DirectorySet = "OutputDirectory";
        private readonly List<ImageResult> _inputs = new List<ImageResult>();

        /// <summary>The images to save (from New-OpenAIImage, Edit-OpenAIImage or New-OpenAIImageVariation).</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public ImageResult[] InputObject { get; set; } = new ImageResult[0];

        /// <summary>The file to write; several images get -1, -2 … suffixes.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [Alias("OutFile")]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>The folder to write into, with generated names.</summary>
        [Parameter(Mandatory = true, ParameterSetName = DirectorySet)]
        [ValidateNotNullOrEmpty]
        public string OutputDirectory { get; set; } = string.Empty;

        /// <summary>Overwrite existing files.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Seconds to wait for each download attempt (default: the profile's, else 600).</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; } = 600;

        /// <summary>The settings profile whose proxy, timeout and retries the downloads use (the API key is never sent).</summary>
        [Parameter]
        [ArgumentCompleter(typeof(Completers.ProfileCompleter))]
        public string? Profile { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            _inputs.AddRange(InputObject);
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(ParameterSetName == PathSet ? Path : OutputDirectory, out ProviderInfo provider, out _);
            if (provider.Name != "FileSystem")
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"'{full}' is on the {provider.Name} provider; give a file-system path."),
                    "OpenAI.NotAFileSystemPath",
                    ErrorCategory.InvalidArgument,
                    full));
            }

            ImageFileNamer namer;
            if (ParameterSetName == PathSet)
            {
                namer = new ImageFileNamer(full, null);
            }
            else
            {
                if (!Directory.Exists(full) && ShouldProcess(full, "Create folder"))
                {
                    Directory.CreateDirectory(full);
                }

                namer = new ImageFileNamer(null, full);
            }

            // Only downloads use the connection settings: saving images already in memory or on disk reads no configuration.
            bool downloads = _inputs.Exists(i => i.Data is null && (i.File is null || !i.File.Exists) && i.Url != null);
            OpenAIClientOptions options = new OpenAIClientOptions { Timeout = TimeSpan.FromSeconds(TimeoutSec) };
            try
            {
                if (downloads)
                {
                    options = Config.ConnectionResolver.ResolveForDownload(
                        new Config.ConnectionParameters
                        {
                            Profile = Profile,
                            TimeoutSec = MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? TimeoutSec : (int?)null,
                        },
                        this);
                }
            }
            catch (Exception ex) when (ex is OpenAIException || ex is OpenAIValidationException)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, Profile));
                return;
            }

            var client = new OpenAIImagesClient(options, new ClientDiagnostics { Verbose = PostVerbose, Debug = PostDebug });
            int several = _inputs.Count;
            foreach (ImageResult input in _inputs)
            {
                SaveOne(input, namer, client, several);
            }

            WaitForWork();
        }

        private void SaveOne(ImageResult input, ImageFileNamer namer, OpenAIImagesClient client, int several)
        {
            string stem = ImageFiles.Slug(input.Prompt ?? (input.SourceFiles.Count > 0 ? System.IO.Path.GetFileNameWithoutExtension(input.SourceFiles[0]) : null));
            if (input.Data is null && input.File is null && input.Url is null)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException("This image has no data, file or URL to save."),
                    "OpenAI.NoImageData",
                    ErrorCategory.InvalidData,
                    input));
                return;
            }

            // Each image is its own "response" of the batch: index within the piped set decides the suffix.
            var copy = new ImageResult
            {
                Index = _inputs.IndexOf(input),
                Created = input.Created,
                OutputFormat = input.OutputFormat,
                Prompt = input.Prompt,
                IsPartial = input.IsPartial,
                PartialImageIndex = input.PartialImageIndex,
                Url = input.Url,
                Data = input.Data,
            };
            if (input.Data != null)
            {
                copy.DetectedFormat = Imaging.ImageInfo.DetectFormat(input.Data, Math.Min(16, input.Data.Length));
                Write(copy, input.Data, namer.Next(copy, several, stem));
                return;
            }

            if (input.File != null && input.File.Exists)
            {
                byte[] bytes = File.ReadAllBytes(input.File.FullName);
                copy.DetectedFormat = Imaging.ImageInfo.DetectFormat(bytes, Math.Min(16, bytes.Length));
                Write(copy, bytes, namer.Next(copy, several, stem));
                return;
            }

            if (input.Url is null)
            {
                WriteError(new ErrorRecord(
                    new FileNotFoundException($"The image file '{input.File?.FullName}' no longer exists and the image has no URL.", input.File?.FullName),
                    "OpenAI.FileNotFound",
                    ErrorCategory.ObjectNotFound,
                    input));
                return;
            }

            // Ask before downloading: -WhatIf must not touch the network, and -Confirm's "no" should cost nothing.
            // URL results of the dall-e models are PNG files, so the name can be chosen before the bytes arrive.
            string target = namer.Next(copy, several, stem);
            bool exists = File.Exists(target);
            if (exists && !Force)
            {
                WriteError(ErrorRecords.FileExists(target));
                return;
            }

            if (!ShouldProcess(target, $"Download {input.Url.Host} image and save it"))
            {
                return;
            }

            StartWork(async _ =>
            {
                try
                {
                    await client.DownloadAsync(copy, null, CancelToken).ConfigureAwait(false);
                    Post(() => Write(copy, copy.Data!, target, confirmed: true));
                }
                catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
                {
                }
                catch (Exception ex)
                {
                    PostError(ErrorRecords.From(ex, input));
                }
            });
        }

        private void Write(ImageResult image, byte[] data, string path, bool confirmed = false)
        {
            bool exists = File.Exists(path);
            if (exists && !Force)
            {
                WriteError(ErrorRecords.FileExists(path));
                return;
            }

            if (!confirmed && !ShouldProcess(path, exists ? "Overwrite image file" : "Save image file"))
            {
                return;
            }

            RemoveOrphanedTempFiles(System.IO.Path.GetDirectoryName(path) ?? ".");
            try
            {
                ImageFiles.WriteAllBytes(path, data, Force);
                WriteObject(ProviderItems.GetFile(this, path));
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(ErrorRecords.From(ex, image));
            }
        }
    }
}
