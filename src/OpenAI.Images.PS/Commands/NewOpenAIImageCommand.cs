using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.PowerShell.Completers;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Creates images from a text prompt (POST /images/generations).</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OpenAIImage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ImageResult))]
    public sealed class NewOpenAIImageCommand : OpenAIImageCmdletBase
    {
        /// <summary>The text description of the image.</summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Prompt { get; set; } = string.Empty;

        /// <summary>The model (default gpt-image-2).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Model { get; set; }

        /// <summary>How many images, 1-10 (dall-e-3: 1).</summary>
        [Parameter]
        [Alias("N")]
        [ValidateRange(1, 10)]
        public int? Count { get; set; }

        /// <summary>Image size, e.g. 1024x1024, 1536x1024, auto; gpt-image-2 takes any WIDTHxHEIGHT within its limits.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(SizeCompleter))]
        public string? Size { get; set; }

        /// <summary>standard, hd, low, medium, high or auto.</summary>
        [Parameter]
        [ValidateSet("standard", "hd", "low", "medium", "high", "auto")]
        public string? Quality { get; set; }

        /// <summary>vivid or natural (dall-e-3).</summary>
        [Parameter]
        [ValidateSet("vivid", "natural")]
        public string? Style { get; set; }

        /// <summary>transparent, opaque or auto (GPT image models).</summary>
        [Parameter]
        [ValidateSet("transparent", "opaque", "auto")]
        public string? Background { get; set; }

        /// <summary>low or auto (GPT image models).</summary>
        [Parameter]
        [ValidateSet("low", "auto")]
        public string? Moderation { get; set; }

        /// <summary>png, jpeg or webp (GPT image models).</summary>
        [Parameter]
        [ValidateSet("png", "jpeg", "webp")]
        public string? OutputFormat { get; set; }

        /// <summary>0-100 compression for jpeg and webp output.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int? OutputCompression { get; set; }

        /// <summary>url or b64_json (dall-e models only).</summary>
        [Parameter]
        [ValidateSet("url", "b64_json")]
        public string? ResponseFormat { get; set; }

        /// <summary>An end-user id for abuse monitoring.</summary>
        [Parameter]
        public string? User { get; set; }

        /// <summary>Stream the response (GPT image models).</summary>
        [Parameter]
        public SwitchParameter Stream { get; set; }

        /// <summary>Partial images to stream before the final one, 0-3; implies -Stream.</summary>
        [Parameter]
        [ValidateRange(0, 3)]
        public int? PartialImages { get; set; }

        /// <inheritdoc />
        protected override string ActivityName => "New-OpenAIImage";

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            var request = new ImageGenerationRequest
            {
                Prompt = Prompt,
                Model = Model ?? DefaultModelFor(ImageOperation.Generation),
                Count = Count,
                Size = Size,
                Quality = Lower(Quality),
                Style = Lower(Style),
                Background = Lower(Background),
                Moderation = Lower(Moderation),
                OutputFormat = Lower(OutputFormat),
                OutputCompression = OutputCompression,
                ResponseFormat = Lower(ResponseFormat),
                User = User,
                Stream = Stream.IsPresent,
                PartialImages = PartialImages,
            };
            Submit(request, Prompt, $"'{Prompt}'", ImageFiles.Slug(Prompt));
        }

        /// <inheritdoc />
        protected override void EndProcessing() => WaitForWork();

        internal static string? Lower(string? value) => value?.ToLowerInvariant();
    }
}
