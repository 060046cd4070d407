using System.Collections.Generic;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.PowerShell.Completers;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Creates variations of a square PNG image (POST /images/variations, dall-e-2). OpenAI retired dall-e-2;
    /// Azure OpenAI and OpenAI-compatible servers may still serve it.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "OpenAIImageVariation", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ImageResult))]
    public sealed class NewOpenAIImageVariationCommand : OpenAIImageCmdletBase
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        /// <summary>The square PNG files (wildcards allowed); each file is its own request.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [SupportsWildcards]
        public string[] Path { get; set; } = new string[0];

        /// <summary>The square PNG files, taken literally.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        public string[] LiteralPath { get; set; } = new string[0];

        /// <summary>256x256, 512x512 or 1024x1024.</summary>
        [Parameter]
        [ValidateSet("256x256", "512x512", "1024x1024")]
        public string? Size { get; set; }

        /// <inheritdoc />
        protected override string ActivityName => "New-OpenAIImageVariation";

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            List<string> files = ResolveInputFiles(literal ? LiteralPath : Path, literal);
            ExpectWork(files.Count);
            foreach (string file in files)
            {
                ImageInputFile? input = ReadInput(file, file);
                if (input is null)
                {
                    CountFailedBeforeStart();
                    continue;
                }

                ImageVariationRequest request = WithCommonParameters(new ImageVariationRequest { Image = input, Size = Size });
                Submit(request, file, System.IO.Path.GetFileName(file), ImageFiles.Slug(System.IO.Path.GetFileNameWithoutExtension(file)) + "-variation");
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing() => WaitForWork();
    }
}
